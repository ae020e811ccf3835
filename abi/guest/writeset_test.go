//go:build !wasip1

package guest

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

// batchHost is a hostCalls over a map that counts host calls and can
// refuse kv_write.
type batchHost struct {
	hostCalls
	kv       map[string][]byte
	gets     int
	batches  [][]byte
	scans    int
	refuse   string // kv_write fails with this when set
	scanSeen int    // pairs in kv when the last scan ran
}

func newBatchHost() *batchHost { return &batchHost{kv: map[string][]byte{}} }

func (h *batchHost) kvGet(key string) ([]byte, bool, error) {
	h.gets++
	v, ok := h.kv[key]
	return v, ok, nil
}

func (h *batchHost) kvWrite(batch []byte) error {
	h.batches = append(h.batches, append([]byte(nil), batch...))
	if h.refuse != "" {
		return hostError("kv_write", h.refuse)
	}
	return (&memoryHost{kv: h.kv}).kvWrite(batch)
}

func (h *batchHost) kvScan(prefix string, limit int) ([]KV, error) {
	h.scans++
	h.scanSeen = len(h.kv)
	return nil, nil
}

// useHost makes h the host for the length of a test, with an empty write set.
func useHost(t *testing.T, h hostCalls) {
	saved := host
	host = h
	writes.reset()
	t.Cleanup(func() { host = saved; writes.reset() })
}

// The layout abi/doc.go gives kv_write, byte for byte.
func TestWriteSetLayout(t *testing.T) {
	h := newBatchHost()
	useHost(t, h)
	if err := KVPut("ab", []byte("xyz")); err != nil {
		t.Fatal(err)
	}
	if err := KVDelete("c"); err != nil {
		t.Fatal(err)
	}
	if err := KVAdd("n", -2); err != nil {
		t.Fatal(err)
	}
	if err := KVFlush(); err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 2, 0, 0, 0, 'a', 'b', 3, 0, 0, 0, 'x', 'y', 'z', 1, 1, 0, 0, 0, 'c',
		2, 1, 0, 0, 0, 'n', 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if len(h.batches) != 1 || !bytes.Equal(h.batches[0], want) {
		t.Fatalf("kv_write got % x, want % x", h.batches, want)
	}
}

// Writes cost no host call until a read: the read hands them over in one
// kv_write and then asks the host, which sees them.
func TestAReadHandsPendingWritesOverFirst(t *testing.T) {
	h := newBatchHost()
	useHost(t, h)
	h.kv["stored"] = []byte("old")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(KVPut("k", []byte("1")))
	must(KVPut("k", []byte("22")))
	must(KVDelete("stored"))
	must(KVPut("gone", []byte("x")))
	must(KVDelete("gone"))
	buf := []byte("reused")
	must(KVPut("copy", buf))
	buf[0] = 'X'
	if len(h.batches) != 0 || h.gets != 0 {
		t.Fatalf("%d kv_write and %d kv_get calls before a read, want none", len(h.batches), h.gets)
	}
	for _, tc := range []struct {
		key   string
		want  string
		found bool
	}{{"k", "22", true}, {"stored", "", false}, {"gone", "", false}, {"copy", "reused", true}} {
		v, found, err := KVGet(tc.key)
		if err != nil || found != tc.found || string(v) != tc.want {
			t.Errorf("KVGet(%q) = %q, %v, %v; want %q, %v", tc.key, v, found, err, tc.want, tc.found)
		}
	}
	if len(h.batches) != 1 || h.gets != 4 {
		t.Errorf("%d kv_write and %d kv_get calls for 6 writes and 4 reads, want 1 and 4", len(h.batches), h.gets)
	}
	if err := KVPut("", nil); err == nil || !errors.Is(err, ErrHost) {
		t.Errorf("KVPut of an empty key: %v, want an ErrHost at the put", err)
	}
}

// A scan hands the write set over first, so the host's scan sees it.
func TestKVScanSeesPendingWrites(t *testing.T) {
	h := newBatchHost()
	useHost(t, h)
	_ = KVPut("a", []byte("1"))
	_ = KVPut("b", []byte("2"))
	if _, err := KVScan("", 10); err != nil {
		t.Fatal(err)
	}
	if h.scanSeen != 2 || len(h.batches) != 1 {
		t.Errorf("the scan saw %d stored pairs after %d kv_write calls, want 2 after 1", h.scanSeen, len(h.batches))
	}
	h.refuse = "no"
	writes.reset()
	_ = KVPut("c", []byte("3"))
	if _, err := KVScan("", 10); err == nil || h.scans != 1 {
		t.Errorf("a scan after a refused hand-over: %v, %d scans; want the error and no scan", err, h.scans)
	}
}

// A large write set is handed over before the call ends, so the guest's
// memory for it stays bounded.
func TestALargeWriteSetIsHandedOverOnTheWay(t *testing.T) {
	h := newBatchHost()
	useHost(t, h)
	value := make([]byte, 64<<10)
	for i := 0; i < 40; i++ {
		if err := KVPut("k"+strings.Repeat("x", i), value); err != nil {
			t.Fatal(err)
		}
		if len(writes.buf) >= flushBytes {
			t.Fatalf("the write set holds %d bytes, flushBytes is %d", len(writes.buf), flushBytes)
		}
	}
	if len(h.batches) != 2 {
		t.Errorf("40 puts of 64 KiB made %d kv_write calls, want 2", len(h.batches))
	}
}

func init() {
	Register("test.writes", func(p Params) (any, error) {
		n, err := p.Int(0)
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < n; i++ {
			if err := KVPut("k"+string(rune('a'+i)), []byte{byte(i)}); err != nil {
				return nil, err
			}
		}
		if s, _ := p.String(1); s == "fail" {
			return nil, errors.New("failed after writing")
		} else if s == "panic" {
			panic("panicked after writing")
		}
		return n, nil
	})
}

// A call's writes are handed over in one kv_write when it returns a result,
// and dropped when it faults or panics: the next call starts empty.
func TestACallHandsItsWritesOverOnce(t *testing.T) {
	h := newBatchHost()
	useHost(t, h)
	if _, err := Invoke("test.writes", 3, "ok"); err != nil {
		t.Fatal(err)
	}
	if len(h.batches) != 1 || len(h.kv) != 3 {
		t.Fatalf("a call of 3 puts: %d kv_write calls, %d keys stored; want 1 and 3", len(h.batches), len(h.kv))
	}
	for _, how := range []string{"fail", "panic"} {
		if _, err := Invoke("test.writes", 5, how); err == nil {
			t.Fatalf("%s: no fault", how)
		}
		if len(h.batches) != 1 || len(writes.buf) != 0 {
			t.Errorf("a call that %sed handed over its writes (%d kv_write calls) or left %d bytes pending",
				how, len(h.batches), len(writes.buf))
		}
	}
	if _, found, _ := KVGet("ke"); found {
		t.Error("a failed call's write is visible after it")
	}
}

// When the host refuses the write set at the end of a call, the call's
// result becomes fault -32008 with the host's reason, and nothing is kept.
func TestARefusedWriteSetFaultsTheCall(t *testing.T) {
	h := newBatchHost()
	useHost(t, h)
	h.refuse = "entry 2 of 3: put \"kb\": value is 9 bytes, limit MaxValueBytes is 8: value too large"
	_, err := Invoke("test.writes", 3, "ok")
	var f *abi.Fault
	if !errors.As(err, &f) || f.Code != codeStorage || !strings.Contains(f.Message, h.refuse) || !strings.Contains(f.Message, "none were kept") {
		t.Fatalf("Invoke = %v, want fault %d naming the host's reason", err, codeStorage)
	}
	// Refused once, the call's later writes fail at once.
	writes.reset()
	_ = KVPut("a", nil)
	if err := KVFlush(); err == nil {
		t.Fatal("KVFlush to a refusing host succeeded")
	}
	if err := KVPut("b", nil); err == nil {
		t.Error("a write after a refused hand-over succeeded")
	}
	if err := KVDelete("b"); err == nil {
		t.Error("a delete after a refused hand-over succeeded")
	}
}

// abi.AppendResult starts a success the way succeeded expects, and a fault
// does not.
func TestSucceededReadsResults(t *testing.T) {
	for _, v := range []any{int64(1), "s", nil, []any{}, abi.Struct{}} {
		b, err := abi.AppendResult(nil, v)
		if err != nil || !succeeded(b) {
			t.Errorf("AppendResult(%v) = % x: not a success", v, b)
		}
	}
	if succeeded(abi.AppendFaultResult(nil, &abi.Fault{Code: 1, Message: "m"})) {
		t.Error("a fault Result reads as a success")
	}
}

func (h *batchHost) kvGetMany(req []byte) ([]byte, error) {
	h.gets++
	return (&memoryHost{kv: h.kv}).kvGetMany(req)
}

// KVGetMany hands pending writes over and asks the host for every key in
// one call, keeping found-empty apart from absent.
func TestKVGetManyReadsInOneHostCall(t *testing.T) {
	h := newBatchHost()
	useHost(t, h)
	h.kv["stored"] = []byte("s")
	h.kv["empty"] = []byte{}
	h.kv["deleted"] = []byte("d")
	_ = KVPut("written", []byte("w"))
	_ = KVDelete("deleted")
	got, err := KVGetMany([]string{"stored", "missing", "written", "empty", "deleted", "stored"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"s", "<nil>", "w", "", "<nil>", "s"}
	for i, v := range got {
		s := string(v)
		if v == nil {
			s = "<nil>"
		}
		if s != want[i] {
			t.Errorf("value %d = %q, want %q", i, s, want[i])
		}
	}
	if h.gets != 1 || len(h.batches) != 1 {
		t.Errorf("%d host reads and %d kv_write calls, want 1 and 1", h.gets, len(h.batches))
	}
	got[0] = append(got[0], 'X')
	if string(got[5]) != "s" {
		t.Errorf("appending to one value changed the next: %q", got[5])
	}
	if v, err := KVGetMany(nil); err != nil || v != nil || h.gets != 1 {
		t.Errorf("KVGetMany of no keys: %v, %v, %d host reads; want nothing and no host call", v, err, h.gets)
	}
}

// Native tests may write from several goroutines, as they could before
// writes were buffered (go test -race checks this).
func TestConcurrentWritesInANativeBuild(t *testing.T) {
	ResetTestStore()
	defer ResetTestStore()
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			var err error
			for i := 0; i < 100 && err == nil; i++ {
				err = KVPut("k"+strings.Repeat("x", g)+string(rune('a'+i%26)), []byte{1})
				if err == nil && i%10 == 0 {
					_, _, err = KVGet("k")
				}
			}
			done <- err
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// KVAdd sums with what is stored (absent counts as 0, a sum of 0 deletes
// the key), as the host does at the commit; the native host refuses a
// value that is not an integer, as the host refuses the entry.
func TestKVAddCounts(t *testing.T) {
	h := newBatchHost()
	useHost(t, h)
	for _, d := range []int64{5, 2} {
		if err := KVAdd("n", d); err != nil {
			t.Fatal(err)
		}
	}
	if v, found, err := KVGet("n"); err != nil || !found || string(v) != "7" {
		t.Fatalf("KVGet after adding 5 and 2: %q, %v, %v", v, found, err)
	}
	if err := KVAdd("n", -7); err != nil {
		t.Fatal(err)
	}
	if _, found, err := KVGet("n"); err != nil || found {
		t.Fatalf("n summed to 0: found %v, %v", found, err)
	}
	if err := KVAdd("", 1); err == nil {
		t.Error("KVAdd of an empty key succeeded")
	}
	writes.reset()
	h.kv["word"] = []byte("w")
	if err := KVAdd("word", 1); err != nil {
		t.Fatal(err) // recorded: the host answers at the hand-over
	}
	if err := KVFlush(); err == nil {
		t.Error("an add to a value that is not an integer was accepted")
	}
}
