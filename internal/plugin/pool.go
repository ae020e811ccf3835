package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// pool hands out instances of one module, one call at a time each. It
// creates instances lazily up to max, so an idle plugin costs one instance,
// and it never instantiates on the hot path once warm.
type pool[T any] struct {
	idle   chan T        // free instances; capacity max, so release never blocks
	tokens chan struct{} // one per live instance
	done   chan struct{} // closed by close: waiters give up
	closed atomic.Bool
	live   atomic.Int64

	maxWaiting int // 0: unbounded
	waiting    atomic.Int64

	create  func(context.Context) (T, error)
	destroy func(T) error

	closeOnce sync.Once
	mu        sync.Mutex // guards errs
	errs      []error
}

func newPool[T any](max, maxWaiting int, create func(context.Context) (T, error), destroy func(T) error) *pool[T] {
	return &pool[T]{
		maxWaiting: maxWaiting,
		idle:       make(chan T, max),
		tokens:     make(chan struct{}, max),
		done:       make(chan struct{}),
		create:     create,
		destroy:    destroy,
	}
}

// acquire returns a free instance, creates one if fewer than max live, or
// waits for one until ctx ends or, when wait > 0, for at most wait. The
// common case, a free instance, sets up no timer at all.
func (p *pool[T]) acquire(ctx context.Context, wait time.Duration) (T, error) {
	var zero T
	if p.closed.Load() {
		return zero, ErrClosed
	}
	select {
	case in := <-p.idle:
		return in, nil
	default:
	}
	// A full queue answers at once: a client told "busy" can retry or back
	// off, one left waiting ties up a connection until its deadline.
	if n := p.waiting.Add(1); p.maxWaiting > 0 && n > int64(p.maxWaiting) {
		p.waiting.Add(-1)
		return zero, fmt.Errorf("%w: %d calls are already waiting for an instance (limits.max_queue)", ErrBusy, p.maxWaiting)
	}
	defer p.waiting.Add(-1)
	var expired <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		expired = t.C
	}
	select {
	case in := <-p.idle:
		return in, nil
	case p.tokens <- struct{}{}:
		in, err := p.create(ctx)
		if err != nil {
			<-p.tokens
			return zero, err
		}
		p.live.Add(1)
		return in, nil
	case <-p.done:
		return zero, ErrClosed
	case <-ctx.Done():
		return zero, fmt.Errorf("%w: waited %v", ErrBusy, context.Cause(ctx))
	case <-expired:
		return zero, fmt.Errorf("%w: waited %v, the call's whole time limit", ErrBusy, wait)
	}
}

// release gives an instance back; a broken one (it trapped or timed out) is
// destroyed instead, so no call ever sees an instance in a bad state.
func (p *pool[T]) release(in T, healthy bool) {
	if !healthy || p.closed.Load() {
		p.discard(in)
		return
	}
	p.idle <- in
	if p.closed.Load() {
		p.drain() // close ran between the check and the send
	}
}

func (p *pool[T]) discard(in T) {
	if err := p.destroy(in); err != nil {
		p.mu.Lock()
		p.errs = append(p.errs, err)
		p.mu.Unlock()
	}
	p.live.Add(-1)
	<-p.tokens
}

func (p *pool[T]) drain() {
	for {
		select {
		case in := <-p.idle:
			p.discard(in)
		default:
			return
		}
	}
}

// size reports how many instances are alive (idle or in use).
func (p *pool[T]) size() int { return int(p.live.Load()) }

// close destroys idle instances now and busy ones when they are released.
// It is safe to call more than once.
func (p *pool[T]) close() error {
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		close(p.done)
	})
	p.drain()
	p.mu.Lock()
	defer p.mu.Unlock()
	return errors.Join(p.errs...)
}
