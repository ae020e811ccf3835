package host

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// errInflightFull means the request bodies and responses in flight
// already hold limits.max_inflight_bytes and none freed room in time: the
// server answers 503 with Retry-After.
var errInflightFull = errors.New("request bodies and responses in flight are at limits.max_inflight_bytes")

// inflightWait bounds how long a request waits for room in the in-flight
// budget before it is refused: long enough to ride out a burst of large
// bodies, short enough that a client told to retry has not already given up.
const inflightWait = time.Second

// bodyBudget bounds the bytes that request bodies hold in memory together,
// and counts the responses being written (see force).
// The fast path is one atomic add; only a request that finds the budget
// full takes the lock, to wait for a release.
type bodyBudget struct {
	max  int64
	used atomic.Int64
	peak atomic.Int64 // the most ever held, for tests and the log

	waiters atomic.Int32
	mu      sync.Mutex
	freed   chan struct{} // closed (and replaced) by a release while someone waits
}

func newBodyBudget(max int64) *bodyBudget {
	return &bodyBudget{max: max, freed: make(chan struct{})}
}

// tryAcquire takes n bytes if they fit. A compare-and-swap rather than an
// add-then-undo, so a failed attempt never makes the budget look fuller
// than it is to a concurrent request.
func (b *bodyBudget) tryAcquire(n int64) bool {
	for {
		u := b.used.Load()
		if u+n > b.max {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			if u+n > b.peak.Load() {
				b.raisePeak(u + n)
			}
			return true
		}
	}
}

func (b *bodyBudget) raisePeak(u int64) {
	for p := b.peak.Load(); u > p && !b.peak.CompareAndSwap(p, u); p = b.peak.Load() {
	}
}

// acquire takes n bytes, waiting up to wait for other requests to release
// them. It fails with errInflightFull, or with ctx's error.
func (b *bodyBudget) acquire(ctx context.Context, n int64, wait time.Duration) error {
	if n > b.max {
		return fmt.Errorf("%w: %d bytes are more than the whole budget of %d", errInflightFull, n, b.max)
	}
	if b.tryAcquire(n) {
		return nil
	}
	return b.waitUntil(ctx, wait, func() bool { return b.tryAcquire(n) }, func() error {
		return fmt.Errorf("%w (%d bytes); waited %v for %d bytes", errInflightFull, b.max, wait, n)
	})
}

// waitUntil waits, up to wait, until ready holds, trying again at every
// release; expired makes the error when the wait ends first.
func (b *bodyBudget) waitUntil(ctx context.Context, wait time.Duration, ready func() bool, expired func() error) error {
	// Register as a waiter before trying again, so a release that happens
	// after the failed try sees the waiter and wakes it.
	b.waiters.Add(1)
	defer b.waiters.Add(-1)
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		b.mu.Lock()
		freed := b.freed
		b.mu.Unlock()
		if ready() {
			return nil
		}
		select {
		case <-freed:
		case <-t.C:
			return expired()
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// force takes n bytes whether or not they fit: for a response, which
// must be sent (its call already ran, and may have committed). The budget
// may then be over its max, and every request waits in admit until the
// responses are written.
func (b *bodyBudget) force(n int64) {
	if n == 0 {
		return
	}
	if u := b.used.Add(n); u > b.peak.Load() {
		b.raisePeak(u)
	}
}

// admit waits, up to wait, until the budget is not over its max: a request
// does no work (reads no body, runs no call) while responses being written
// hold more than the whole budget.
func (b *bodyBudget) admit(ctx context.Context, wait time.Duration) error {
	if b.used.Load() <= b.max { // the common case, with no closure to allocate
		return nil
	}
	return b.waitUntil(ctx, wait, func() bool { return b.used.Load() <= b.max }, func() error {
		return fmt.Errorf("%w: responses being written hold %d bytes; waited %v", errInflightFull, b.used.Load(), wait)
	})
}

// mayRun refuses a call about to run while responses being written hold
// more than the budget: a call that waited in a plugin's queue was admitted
// before the budget filled, and running it would add one more response.
// With this check, the responses held past the budget are at most those of
// the calls already running when it filled.
func (b *bodyBudget) mayRun() error {
	if b == nil || b.used.Load() <= b.max {
		return nil
	}
	return fmt.Errorf("%w: responses being written hold %d bytes", errInflightFull, b.used.Load())
}

// release gives n bytes back and wakes the requests waiting for room.
func (b *bodyBudget) release(n int64) {
	if n == 0 {
		return
	}
	b.used.Add(-n)
	if b.waiters.Load() > 0 {
		b.mu.Lock()
		close(b.freed)
		b.freed = make(chan struct{})
		b.mu.Unlock()
	}
}
