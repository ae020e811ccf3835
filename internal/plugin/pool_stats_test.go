package plugin

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPoolStatsCountBusyIdleWaitingAndRefused(t *testing.T) {
	f := &countingFactory{}
	p := newPool(2, 1, 0, f.create, f.destroy)
	defer p.close()
	ctx := context.Background()
	a, _ := p.acquire(ctx, 0)
	b, _ := p.acquire(ctx, 0)
	if s := p.stats(); s != (PoolStats{Busy: 2, Created: 2}) {
		t.Errorf("two instances in use: %+v", s)
	}
	got := make(chan *int, 1)
	go func() { in, _ := p.acquire(ctx, 0); got <- in }()
	for p.waitingCalls() == 0 {
		time.Sleep(time.Millisecond)
	}
	// The queue (1) is full: the next caller is refused at once.
	if _, err := p.acquire(ctx, 0); !errors.Is(err, ErrBusy) {
		t.Fatalf("a caller past the queue: %v, want ErrBusy", err)
	}
	if s := p.stats(); s != (PoolStats{Busy: 2, Waiting: 1, Refused: 1, Created: 2}) {
		t.Errorf("two in use, one waiting, one refused: %+v", s)
	}
	p.release(a, true)
	c := <-got
	p.release(b, true)
	p.release(c, true)
	if s := p.stats(); s != (PoolStats{Idle: 2, Refused: 1, Created: 2}) {
		t.Errorf("all released: %+v", s)
	}
	// A caller that waits its whole time limit is refused too.
	x, _ := p.acquire(ctx, 0)
	y, _ := p.acquire(ctx, 0)
	if _, err := p.acquire(ctx, 10*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Fatalf("a caller that waited its limit: %v, want ErrBusy", err)
	}
	if s := p.stats(); s.Refused != 2 || s.Waiting != 0 {
		t.Errorf("after a wait that expired: %+v, want Refused 2, Waiting 0", s)
	}
	p.release(x, true)
	p.release(y, true)
}
