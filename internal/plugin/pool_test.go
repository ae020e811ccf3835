package plugin

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type countingFactory struct {
	created, destroyed atomic.Int64
}

func (f *countingFactory) create(context.Context) (*int, error) {
	n := int(f.created.Add(1))
	return &n, nil
}

func (f *countingFactory) destroy(*int) error {
	f.destroyed.Add(1)
	return nil
}

func TestPoolNeverSharesAnInstanceAndStaysBounded(t *testing.T) {
	f := &countingFactory{}
	p := newPool(3, 0, 0, f.create, f.destroy)
	var inUse sync.Map
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				in, err := p.acquire(context.Background(), 0)
				if err != nil {
					t.Error(err)
					return
				}
				if _, loaded := inUse.LoadOrStore(in, true); loaded {
					t.Error("instance handed to two callers at once")
				}
				inUse.Delete(in)
				p.release(in, true)
			}
		}()
	}
	wg.Wait()
	if c := f.created.Load(); c > 3 {
		t.Errorf("created %d instances, max is 3", c)
	}
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	if f.created.Load() != f.destroyed.Load() || p.size() != 0 {
		t.Errorf("created %d, destroyed %d, live %d", f.created.Load(), f.destroyed.Load(), p.size())
	}
}

func TestPoolDiscardsUnhealthyInstances(t *testing.T) {
	f := &countingFactory{}
	p := newPool(1, 0, 0, f.create, f.destroy)
	in, _ := p.acquire(context.Background(), 0)
	p.release(in, false)
	in2, _ := p.acquire(context.Background(), 0)
	if in2 == in {
		t.Error("an unhealthy instance was handed out again")
	}
	p.release(in2, true)
	if f.destroyed.Load() != 1 {
		t.Errorf("destroyed %d, want 1", f.destroyed.Load())
	}
}

func TestPoolWaitEndsWithContext(t *testing.T) {
	f := &countingFactory{}
	p := newPool(1, 0, 0, f.create, f.destroy)
	in, _ := p.acquire(context.Background(), 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.acquire(ctx, 0); !errors.Is(err, ErrBusy) {
		t.Errorf("acquire on a full pool: %v, want ErrBusy", err)
	}
	p.release(in, true)
}

func TestPoolCloseWakesWaitersAndDestroysBusyOnRelease(t *testing.T) {
	f := &countingFactory{}
	p := newPool(1, 0, 0, f.create, f.destroy)
	in, _ := p.acquire(context.Background(), 0)
	errc := make(chan error, 1)
	go func() {
		_, err := p.acquire(context.Background(), 0)
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	_ = p.close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("waiter got %v, want ErrClosed", err)
	}
	p.release(in, true)
	if f.destroyed.Load() != 1 || p.size() != 0 {
		t.Errorf("destroyed %d, live %d after release into a closed pool", f.destroyed.Load(), p.size())
	}
	if err := p.close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestPoolRefusesAtOnceWhenTheQueueIsFull(t *testing.T) {
	f := &countingFactory{}
	p := newPool(1, 1, 0, f.create, f.destroy)
	in, _ := p.acquire(context.Background(), 0)
	waiter := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := p.acquire(ctx, 0)
		waiter <- err
	}()
	for p.waitingCalls() == 0 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	_, err := p.acquire(context.Background(), 0) // no deadline: only the queue bound can end it
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "max_queue") {
		t.Errorf("acquire with a full queue: %v, want ErrBusy naming the limit", err)
	}
	t.Logf("refused after %v", time.Since(start))
	if err := <-waiter; !errors.Is(err, ErrBusy) {
		t.Errorf("the queued caller: %v, want ErrBusy at its deadline", err)
	}
	p.release(in, true)
}

func TestPoolHandsOutTheMostRecentlyReleased(t *testing.T) {
	f := &countingFactory{}
	p := newPool(3, 0, 0, f.create, f.destroy)
	ctx := context.Background()
	a, _ := p.acquire(ctx, 0)
	b, _ := p.acquire(ctx, 0)
	p.release(a, true)
	p.release(b, true)
	if got, _ := p.acquire(ctx, 0); got != b {
		t.Errorf("acquired instance %d, want %d, the one released last", *got, *b)
	}
}

// A waiting call gets the instance another call releases, or, when that
// one is destroyed, the room to create its own.
func TestPoolWaiterGetsAReleasedOrReplacedInstance(t *testing.T) {
	f := &countingFactory{}
	p := newPool(1, 0, 0, f.create, f.destroy)
	ctx := context.Background()
	for _, healthy := range []bool{true, false} {
		in, _ := p.acquire(ctx, 0)
		got := make(chan *int, 1)
		go func() {
			w, err := p.acquire(ctx, 5*time.Second)
			if err != nil {
				t.Error(err)
			}
			got <- w
		}()
		for p.waitingCalls() == 0 {
			time.Sleep(time.Millisecond)
		}
		p.release(in, healthy)
		w := <-got
		if healthy && w != in || !healthy && w == in {
			t.Errorf("released healthy=%v: the waiter got %d (released %d)", healthy, *w, *in)
		}
		if p.size() != 1 {
			t.Errorf("%d instances live, want 1", p.size())
		}
		p.release(w, true)
	}
}
