package plugin

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/store"
)

// A call that the watchdog stopped must fail with the timeout and leave no
// write behind, even if the guest produced a result in the instant before:
// the client was told the call had a time limit, and a late success would
// be a result nobody can rely on.
func TestAStoppedCallReturnsNoResultAndCommitsNothing(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "bbolt", t.TempDir(), store.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logger := slog.New(slog.DiscardHandler)
	p := &Plugin{name: "p", usesHost: true, usesStore: true, logger: logger,
		limits: Options{CallTimeout: time.Second, Store: st, MaxOutputBytes: defaultMaxOutput}}
	for _, stop := range []bool{false, true} {
		in := &instance{out: &output{logger: logger}}
		in.ctx, in.cancel = context.WithCancelCause(ctx)
		in.armUntil(time.Now().Add(time.Hour).UnixNano())
		key := map[bool]string{false: "finished", true: "stopped"}[stop]
		v, healthy, _, err := p.runOnce(in.ctx, in, "m", func(ctx context.Context, in *instance) (any, error) {
			if err := callOf(ctx).txn.Put(key, []byte("v")); err != nil {
				t.Fatal(err)
			}
			if stop { // what the watchdog does, minus the flag
				in.deadline.Store(deadlineStopped)
				in.cancel(ErrTimeout)
			}
			return int64(7), nil
		}, 1)
		_, found, gerr := st.Get(ctx, "p", key)
		if gerr != nil {
			t.Fatal(gerr)
		}
		switch {
		case !stop && (v != int64(7) || err != nil || !healthy || !found):
			t.Errorf("a call that finished in time: %v, %v, healthy %v, write kept %v", v, err, healthy, found)
		case stop && (v != nil || !errors.Is(err, ErrTimeout) || healthy || found):
			t.Errorf("a stopped call: %v, %v, healthy %v, write kept %v; want no result, ErrTimeout, unhealthy, no write", v, err, healthy, found)
		}
	}
}

// hangingStore's commits wait until their context ends, as a store behind
// a dead network link does.
type hangingStore struct{ store.Store }

func (hangingStore) ApplyIf(ctx context.Context, _ string, _ []store.Read, _ []store.Write) error {
	<-ctx.Done()
	return ctx.Err()
}

// The commit runs after the guest returned, when the watchdog no longer
// watches the call: the call's deadline must still bound it.
func TestACommitThatHangsEndsAtTheDeadline(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	p := &Plugin{name: "p", usesHost: true, usesStore: true, logger: logger,
		limits: Options{CallTimeout: 100 * time.Millisecond, Store: hangingStore{}, MaxOutputBytes: defaultMaxOutput}}
	in := &instance{out: &output{logger: logger}}
	in.ctx, in.cancel = context.WithCancelCause(context.Background())
	in.armUntil(time.Now().Add(100 * time.Millisecond).UnixNano())
	start := time.Now()
	v, _, _, err := p.runOnce(in.ctx, in, "m", func(ctx context.Context, in *instance) (any, error) {
		return int64(7), callOf(ctx).txn.Put("k", []byte("v"))
	}, 1)
	took := time.Since(start)
	t.Logf("the hanging commit ended after %v", took.Round(time.Millisecond))
	if v != nil || !errors.Is(err, ErrTimeout) {
		t.Errorf("runOnce = %v, %v; want no result and ErrTimeout", v, err)
	}
	if took > 5*time.Second {
		t.Errorf("the commit held the call %v past a 100 ms deadline", took)
	}
}
