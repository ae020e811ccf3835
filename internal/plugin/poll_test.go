package plugin

import (
	"bytes"
	"context"
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// pollModule imports poll_oneoff, exports it as "poll" and exports a
// memory of 1,300 pages, room for 1,000,000 subscriptions and their events.
func pollModule() []byte {
	section := func(id byte, payload ...byte) []byte {
		return append([]byte{id, byte(len(payload))}, payload...)
	}
	name := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	m = append(m, section(1, 1, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f)...)
	imp := append(append([]byte{1}, name("wasi_snapshot_preview1")...), name("poll_oneoff")...)
	m = append(m, section(2, append(imp, 0, 0)...)...)
	m = append(m, section(3, 1, 0)...)
	m = append(m, section(5, 1, 0, 0x94, 0x0a)...)
	exp := append(append([]byte{2}, name("memory")...), 2, 0)
	exp = append(append(exp, name("poll")...), 0, 1)
	m = append(m, section(7, exp...)...)
	return append(m, section(10, 1, 12, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0x20, 3, 0x10, 0, 0x0b)...)
}

// pollGuest instantiates pollModule against rpchost's WASI, or wazero's
// own when original is set.
func pollGuest(t *testing.T, original bool) api.Module {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	t.Cleanup(func() { rt.Close(ctx) })
	var err error
	if original {
		_, err = wasi_snapshot_preview1.Instantiate(ctx, rt)
	} else {
		err = instantiateWASI(ctx, rt)
	}
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rt.InstantiateWithConfig(ctx, pollModule(), wazero.NewModuleConfig().WithStdout(&bytes.Buffer{}))
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

type sub struct {
	userdata uint64
	kind     byte
	fd       uint32 // or, for a clock, its flags
}

// pollWith writes subs at 0, polls them and returns the errno, the events
// count, the events' bytes and the bytes the call allocated.
func pollWith(t *testing.T, mod api.Module, subs []sub) (errno uint64, nevents uint32, events []byte, allocated uint64) {
	t.Helper()
	const out, neventsAt = 1 << 20, 2 << 20
	buf := make([]byte, 48*len(subs))
	for i, s := range subs {
		b := buf[48*i:]
		binary.LittleEndian.PutUint64(b, s.userdata)
		b[8] = s.kind
		if s.kind == eventClock {
			binary.LittleEndian.PutUint16(b[16+24:], uint16(s.fd))
		} else {
			binary.LittleEndian.PutUint32(b[16:], s.fd)
		}
	}
	mod.Memory().Write(0, buf)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := mod.ExportedFunction("poll").Call(context.Background(), 0, out, uint64(len(subs)), neventsAt)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	nevents, _ = mod.Memory().ReadUint32Le(neventsAt)
	events, _ = mod.Memory().Read(out, uint32(32*len(subs)))
	return res[0], nevents, bytes.Clone(events), after.TotalAlloc - before.TotalAlloc
}

// rpchost's poll_oneoff answers as wazero's does, for every kind of
// subscription a guest can make with no file system.
func TestPollOneoffAnswersAsWazeroDoes(t *testing.T) {
	ours, theirs := pollGuest(t, false), pollGuest(t, true)
	for _, tc := range []struct {
		name string
		subs []sub
	}{
		{"a sleep", []sub{{7, eventClock, 0}}},
		{"Go's netpoll", []sub{{1, eventFdRead, 0}, {2, eventClock, 0}, {3, eventFdWrite, 1}, {4, eventFdRead, 2}, {5, eventFdRead, 9}, {6, eventFdWrite, 9}}},
		{"an absolute clock", []sub{{1, eventClock, 1}}},
		{"clock flags 2", []sub{{1, eventClock, 2}}},
		{"a negative descriptor", []sub{{1, eventFdRead, 1 << 31}}},
		{"an unknown kind", []sub{{1, 3, 0}}},
		{"none", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errno, n, events, _ := pollWith(t, ours, tc.subs)
			wantErrno, wantN, wantEvents, _ := pollWith(t, theirs, tc.subs)
			if errno != wantErrno || n != wantN || !bytes.Equal(events, wantEvents) {
				t.Errorf("errno %d, %d events % x; wazero: errno %d, %d events % x", errno, n, events, wantErrno, wantN, wantEvents)
			}
		})
	}
}

// A million subscriptions are refused with EINVAL, with nothing allocated
// for them: wazero's own poll_oneoff allocates per subscription.
func TestPollOneoffBoundsSubscriptions(t *testing.T) {
	subs := make([]sub, 1_000_000)
	for _, original := range []bool{true, false} {
		errno, _, _, allocated := pollWith(t, pollGuest(t, original), subs)
		t.Logf("wazero's own: %v; 1,000,000 subscriptions: errno %d, %d KB allocated", original, errno, allocated>>10)
		if !original && (errno != errnoInval || allocated > 1<<20) {
			t.Errorf("errno %d, %d KB allocated; want EINVAL (%d) and under 1 MB", errno, allocated>>10, errnoInval)
		}
	}
	errno, n, _, _ := pollWith(t, pollGuest(t, false), subs[:maxPollSubscriptions])
	if errno != 0 || n != maxPollSubscriptions {
		t.Errorf("%d subscriptions: errno %d, %d events", maxPollSubscriptions, errno, n)
	}
}
