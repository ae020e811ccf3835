package plugin

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// An instance no call used for the idle timeout is destroyed; one used
// since is kept until it has been idle as long; and once nothing is idle
// no timer is left armed.
func TestPoolReleasesIdleInstances(t *testing.T) {
	f := &countingFactory{}
	const timeout = 100 * time.Millisecond
	p := newPool(3, 0, timeout, f.create, f.destroy)
	ctx := context.Background()
	a, _ := p.acquire(ctx, 0)
	b, _ := p.acquire(ctx, 0)
	p.release(a, true)
	time.Sleep(timeout / 2)
	p.release(b, true)
	if s := p.stats(); s.Idle != 2 || s.Busy != 0 || s.Created != 2 {
		t.Fatalf("stats %+v, want 2 idle of 2 created", s)
	}
	waitFor(t, func() bool { return f.destroyed.Load() == 1 })
	if s := p.stats(); s.Idle != 1 || s.IdleReleased != 1 {
		t.Errorf("after the first timeout: %+v, want 1 idle, 1 released", s)
	}
	if got, _ := p.acquire(ctx, 0); got != b {
		t.Errorf("kept instance %d, want %d, the one used last", *got, *b)
	} else {
		p.release(got, true)
	}
	waitFor(t, func() bool { return p.size() == 0 })
	p.mu.Lock()
	armed := p.reaperArmed
	p.mu.Unlock()
	if armed {
		t.Error("the reaper is still armed with nothing idle")
	}
	if s := p.stats(); s.IdleReleased != 2 || f.destroyed.Load() != 2 {
		t.Errorf("stats %+v, destroyed %d, want 2 released", s, f.destroyed.Load())
	}
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
}

// With an idle timeout of 0 an idle instance is kept, and no timer is made.
func TestPoolKeepsIdleInstancesWithoutTimeout(t *testing.T) {
	f := &countingFactory{}
	p := newPool(1, 0, 0, f.create, f.destroy)
	in, _ := p.acquire(context.Background(), 0)
	p.release(in, true)
	time.Sleep(20 * time.Millisecond)
	if p.size() != 1 || p.reaper != nil {
		t.Errorf("live %d, reaper %v: want the instance kept and no timer", p.size(), p.reaper)
	}
	_ = p.close()
}

// Close stops the reaper: every instance is destroyed exactly once.
func TestPoolCloseStopsTheReaper(t *testing.T) {
	f := &countingFactory{}
	p := newPool(2, 0, time.Millisecond, f.create, f.destroy)
	in, _ := p.acquire(context.Background(), 0)
	p.release(in, true)
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	p.reap() // as a timer that fired during close would
	time.Sleep(10 * time.Millisecond)
	if f.created.Load() != 1 || f.destroyed.Load() != 1 || p.size() != 0 {
		t.Errorf("created %d, destroyed %d, live %d", f.created.Load(), f.destroyed.Load(), p.size())
	}
}

// Calls racing the reaper never get an instance it destroyed, and the
// pool's bound holds.
func TestPoolReaperRacingCalls(t *testing.T) {
	var mu sync.Mutex
	dead := map[*int]bool{}
	f := &countingFactory{}
	p := newPool(4, 0, 200*time.Microsecond, f.create, func(in *int) error {
		mu.Lock()
		dead[in] = true
		mu.Unlock()
		return f.destroy(in)
	})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				in, err := p.acquire(context.Background(), 0)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				bad := dead[in]
				mu.Unlock()
				if bad {
					t.Error("handed out an instance the reaper destroyed")
				}
				if j%10 == 0 {
					time.Sleep(300 * time.Microsecond)
				}
				p.release(in, true)
			}
		}()
	}
	wg.Wait()
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	s := p.stats()
	t.Logf("created %d, released for idleness %d", f.created.Load(), s.IdleReleased)
	if f.created.Load() != f.destroyed.Load() || p.size() != 0 {
		t.Errorf("created %d, destroyed %d, live %d", f.created.Load(), f.destroyed.Load(), p.size())
	}
}

// Refused counts both kinds of busy refusal: a full queue, and a wait that
// reached the call's time limit.
func TestPoolStatsCountRefusals(t *testing.T) {
	f := &countingFactory{}
	p := newPool(1, 1, 0, f.create, f.destroy)
	in, _ := p.acquire(context.Background(), 0)
	waited := make(chan error, 1)
	go func() { _, err := p.acquire(context.Background(), 50*time.Millisecond); waited <- err }()
	waitFor(t, func() bool { return p.stats().Waiting == 1 })
	if _, err := p.acquire(context.Background(), 0); !errors.Is(err, ErrBusy) {
		t.Fatalf("full queue: %v", err)
	}
	if err := <-waited; !errors.Is(err, ErrBusy) {
		t.Fatalf("waited out: %v", err)
	}
	if s := p.stats(); s.Refused != 2 || s.Busy != 1 || s.Waiting != 0 {
		t.Errorf("stats %+v, want 2 refused, 1 busy", s)
	}
	p.release(in, true)
	_ = p.close()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5s")
		}
	}
}
