package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// pool hands out instances of one module, one call at a time each. It
// creates instances lazily up to max, so a plugin never called holds no
// instance, and it never instantiates on the hot path once warm.
//
// Free instances are handed out last in, first out: under load the same
// few instances serve call after call while their memory is still in the
// CPU's caches, instead of every instance taking its turn. The instances
// left at the bottom are those no call needed for longest; once idle for
// idleTimeout they are destroyed (see reap), so a burst does not hold its
// memory for good.
type pool[T any] struct {
	max, maxWaiting int           // maxWaiting 0: unbounded
	idleTimeout     time.Duration // 0: idle instances are kept
	epoch           time.Time     // what now counts from

	mu      sync.Mutex
	idle    []idleInstance[T] // free instances, the most recently used last
	live    int               // instances created and not destroyed
	waiters []chan ticket[T]  // calls waiting, the oldest first
	closed  bool
	errs    []error // from destroy
	// reaper destroys instances idle for idleTimeout. It is armed only
	// while idle holds an instance, so a pool with nothing idle, like a
	// plugin never called, costs no timer and no wake-ups.
	reaper      *time.Timer
	reaperArmed bool
	counters    poolCounters

	// budget, when bounded, lists idle instances across every pool
	// (idle_budget.go); idleBytes says what an idle instance holds.
	budget    *idleBudget
	idleBytes func(T) int64
	spare     []*idleNode // nodes of instances no longer idle, for reuse

	create  func(context.Context) (T, error)
	destroy func(T) error
}

// ticket is what a waiting call is handed: a free instance, or the right
// to create one (when an instance was destroyed), or, as the zero ticket,
// nothing (the pool closed).
type ticket[T any] struct {
	kind ticketKind
	in   T // for handOver
}

// idleInstance is a free instance and when it was given back.
type idleInstance[T any] struct {
	in    T
	since time.Duration // on the pool's clock (now); 0 when idleTimeout is 0: nobody reads it
	node  *idleNode     // on the budget's list; nil when the budget is unbounded
}

type ticketKind uint8

const (
	poolClosed ticketKind = iota
	handOver              // a free instance
	mayCreate             // room for one more instance, already counted in live
)

func newPool[T any](max, maxWaiting int, idleTimeout time.Duration, create func(context.Context) (T, error), destroy func(T) error) *pool[T] {
	return &pool[T]{max: max, maxWaiting: maxWaiting, idleTimeout: idleTimeout, create: create, destroy: destroy,
		epoch: time.Now()}
}

// now is the time since the pool was made, on the monotonic clock: one
// clock read, where time.Now reads the wall clock too. Stamping every
// release with time.Now was 13% of numeric.add's whole dispatch in a
// profile (this VM's clock reads cost ~100 ns each).
func (p *pool[T]) now() time.Duration { return time.Since(p.epoch) }

// withBudget makes the pool's idle instances count against b, each for
// what bytes says it holds when it is given back.
func (p *pool[T]) withBudget(b *idleBudget, bytes func(T) int64) *pool[T] {
	p.budget, p.idleBytes = b, bytes
	return p
}

// acquire returns a free instance, creates one if fewer than max live, or
// waits for one until ctx ends or, when wait > 0, for at most wait. The
// common case, a free instance, takes a lock and sets up no timer.
func (p *pool[T]) acquire(ctx context.Context, wait time.Duration) (T, error) {
	var zero T
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return zero, ErrClosed
	}
	if n := len(p.idle); n > 0 {
		in := p.idle[n-1].in
		p.unbudgetLocked(p.idle[n-1].node)
		p.idle[n-1] = idleInstance[T]{}
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return in, nil
	}
	if p.live < p.max {
		p.live++
		p.mu.Unlock()
		return p.createCounted(ctx)
	}
	// A full queue answers at once: a client told "busy" can retry or back
	// off, one left waiting ties up a connection until its deadline.
	if p.maxWaiting > 0 && len(p.waiters) >= p.maxWaiting {
		p.counters.refused++
		p.mu.Unlock()
		return zero, fmt.Errorf("%w: %d calls are already waiting for an instance (limits.max_queue)", ErrBusy, p.maxWaiting)
	}
	ch := make(chan ticket[T], 1)
	p.waiters = append(p.waiters, ch)
	p.mu.Unlock()

	var expired <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		expired = t.C
	}
	var giveUp error
	select {
	case tk := <-ch:
		return p.redeem(ctx, tk)
	case <-ctx.Done():
		giveUp = fmt.Errorf("%w: waited %v", ErrBusy, context.Cause(ctx))
	case <-expired:
		giveUp = fmt.Errorf("%w: waited %v, the call's whole time limit", ErrBusy, wait)
	}
	if p.removeWaiter(ch) {
		p.countRefused()
		return zero, giveUp
	}
	// A ticket was handed over as we gave up: pass it on.
	switch tk := <-ch; tk.kind {
	case mayCreate:
		p.uncount(nil)
	case handOver:
		p.release(tk.in, true)
	}
	p.countRefused()
	return zero, giveUp
}

// redeem turns a ticket into an instance.
func (p *pool[T]) redeem(ctx context.Context, tk ticket[T]) (T, error) {
	switch tk.kind {
	case mayCreate:
		return p.createCounted(ctx)
	case handOver:
		return tk.in, nil
	}
	var zero T
	return zero, ErrClosed
}

// createCounted creates an instance already counted in live.
func (p *pool[T]) createCounted(ctx context.Context) (T, error) {
	in, err := p.create(ctx)
	if err != nil {
		p.uncount(nil) // create's error goes to the caller, not to close
		return in, err
	}
	p.mu.Lock()
	p.counters.created++
	p.mu.Unlock()
	return in, nil
}

// uncount frees a place counted in live that holds no instance (any more),
// letting the oldest waiter create one; destroyErr, if any, is kept for
// close.
func (p *pool[T]) uncount(destroyErr error) {
	p.mu.Lock()
	if destroyErr != nil {
		p.errs = append(p.errs, destroyErr)
	}
	p.live--
	p.handOnLocked()
	p.mu.Unlock()
}

// handOnLocked lets the oldest waiter create an instance, when there is
// room for one; callers hold mu.
func (p *pool[T]) handOnLocked() {
	if p.closed || len(p.waiters) == 0 || p.live >= p.max {
		return
	}
	p.live++
	p.popWaiterLocked() <- ticket[T]{kind: mayCreate}
}

func (p *pool[T]) popWaiterLocked() chan ticket[T] {
	ch := p.waiters[0]
	p.waiters[0] = nil
	p.waiters = p.waiters[1:]
	return ch
}

// removeWaiter reports whether ch was still waiting (and is no more).
func (p *pool[T]) removeWaiter(ch chan ticket[T]) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, w := range p.waiters {
		if w == ch {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// release gives an instance back; a broken one (it trapped or timed out) is
// destroyed instead, so no call ever sees an instance in a bad state.
func (p *pool[T]) release(in T, healthy bool) {
	bounded := healthy && p.budget.bounded()
	var bytes int64
	if bounded {
		bytes = p.idleBytes(in) // read before the lock: the instance is still ours
	}
	p.mu.Lock()
	if !healthy || p.closed {
		p.mu.Unlock()
		p.discard(in)
		return
	}
	if len(p.waiters) > 0 {
		p.popWaiterLocked() <- ticket[T]{kind: handOver, in: in}
		p.mu.Unlock()
		return
	}
	idle := idleInstance[T]{in: in}
	if p.idleTimeout > 0 {
		idle.since = p.now()
		if !p.reaperArmed {
			p.armReaperLocked(p.idleTimeout)
		}
	}
	over := false
	if bounded {
		idle.node, over = p.budgetLocked(bytes)
	}
	p.idle = append(p.idle, idle)
	p.mu.Unlock()
	if over {
		p.budget.evict()
	}
}

// discard destroys an instance, making room for a waiter to create one.
func (p *pool[T]) discard(in T) {
	p.uncount(p.destroy(in))
}

// size reports how many instances are alive (idle or in use).
func (p *pool[T]) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live
}

// waitingCalls reports how many calls wait for an instance.
func (p *pool[T]) waitingCalls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.waiters)
}

// close destroys idle instances now and busy ones when they are released,
// and tells waiting calls ErrClosed. It is safe to call more than once.
func (p *pool[T]) close() error {
	p.mu.Lock()
	p.closed = true
	if p.reaper != nil {
		p.reaper.Stop() // a reap already started sees closed
		p.reaperArmed = false
	}
	idle := p.idle
	p.idle = nil
	for _, in := range idle {
		p.unbudgetLocked(in.node)
	}
	for len(p.waiters) > 0 {
		p.popWaiterLocked() <- ticket[T]{} // poolClosed
	}
	p.mu.Unlock()
	for _, in := range idle {
		p.discard(in.in)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return errors.Join(p.errs...)
}
