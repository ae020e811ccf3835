package plugin

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// unitBytes is what each test instance counts against a budget.
const unitBytes = 100

func unit(*int) int64 { return unitBytes }

func budgetedPools(t *testing.T, b *idleBudget, n, size int, idleTimeout time.Duration) ([]*pool[*int], *countingFactory) {
	t.Helper()
	f := &countingFactory{}
	pools := make([]*pool[*int], n)
	for i := range pools {
		pools[i] = newPool(size, 0, idleTimeout, f.create, f.destroy).withBudget(b, unit)
		t.Cleanup(func() { pools[i].close() })
	}
	return pools, f
}

func idleIn(pools []*pool[*int]) (idle []int, total int) {
	for i, p := range pools {
		if s := p.stats(); s.Idle > 0 {
			idle = append(idle, i)
			total += s.Idle
		}
	}
	return idle, total
}

// Ten pools each called once under a budget of three instances keep the
// three given back last; the others are destroyed, and a pool whose
// instance went makes a new one on its next call, evicting the next least
// recently used.
func TestIdleBudgetKeepsTheMostRecentlyUsedAcrossPools(t *testing.T) {
	b := newIdleBudget(3 * unitBytes)
	pools, f := budgetedPools(t, b, 10, 2, 0)
	ctx := context.Background()
	for _, p := range pools {
		in, err := p.acquire(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		p.release(in, true)
	}
	idle, total := idleIn(pools)
	if fmt.Sprint(idle) != "[7 8 9]" || total != 3 {
		t.Fatalf("idle instances in pools %v (%d), want one in each of [7 8 9]", idle, total)
	}
	if d := f.destroyed.Load(); d != 7 || b.evicted.Load() != 7 {
		t.Errorf("%d destroyed, %d evicted, want 7", d, b.evicted.Load())
	}
	if s := pools[0].stats(); s.Evicted != 1 || s.Busy != 0 || s.Idle != 0 {
		t.Errorf("pool 0: %+v, want its one instance evicted", s)
	}
	if b.count != 3 || b.bytes != 3*unitBytes {
		t.Errorf("budget holds %d instances, %d bytes; want 3, %d", b.count, b.bytes, 3*unitBytes)
	}

	// Pool 8 is used again: 7 is now the least recently used and goes
	// when pool 0 gives back its new instance.
	in, _ := pools[8].acquire(ctx, 0)
	pools[8].release(in, true)
	in, err := pools[0].acquire(ctx, 0)
	if err != nil {
		t.Fatalf("a pool whose instance was evicted: %v", err)
	}
	pools[0].release(in, true)
	if idle, _ := idleIn(pools); fmt.Sprint(idle) != "[0 8 9]" {
		t.Errorf("idle instances in pools %v, want [0 8 9]", idle)
	}
	if c := f.created.Load(); c != 11 {
		t.Errorf("%d instances made, want 11 (10, and pool 0's again)", c)
	}
}

// Busy instances are never evicted, however far over the budget the idle
// ones are; the budget only counts instances given back.
func TestIdleBudgetLeavesBusyInstancesAlone(t *testing.T) {
	b := newIdleBudget(1 * unitBytes)
	pools, f := budgetedPools(t, b, 3, 4, 0)
	ctx := context.Background()
	var busy []*int
	for range 3 {
		in, _ := pools[0].acquire(ctx, 0)
		busy = append(busy, in)
	}
	for _, p := range pools[1:] {
		in, _ := p.acquire(ctx, 0)
		p.release(in, true)
	}
	if s := pools[0].stats(); s.Busy != 3 || s.Evicted != 0 {
		t.Fatalf("pool 0: %+v, want its 3 instances busy and none evicted", s)
	}
	if d := f.destroyed.Load(); d != 1 {
		t.Errorf("%d destroyed, want 1 (pool 1's idle instance)", d)
	}
	for _, in := range busy {
		pools[0].release(in, true)
	}
	// Giving them back leaves the last one given back.
	if _, total := idleIn(pools); total != 1 || pools[0].stats().Idle != 1 {
		t.Errorf("%d idle, pool 0 %+v; want pool 0's last instance only", total, pools[0].stats())
	}
	if got, _ := pools[0].acquire(ctx, 0); got != busy[2] {
		t.Errorf("kept instance %d, want %d, the one given back last", *got, *busy[2])
	}
}

// An instance the idle timeout or close destroys leaves the budget's list.
func TestIdleBudgetForgetsReapedAndClosedInstances(t *testing.T) {
	b := newIdleBudget(10 * unitBytes)
	pools, _ := budgetedPools(t, b, 2, 2, 50*time.Millisecond)
	ctx := context.Background()
	x, _ := pools[0].acquire(ctx, 0)
	y, _ := pools[0].acquire(ctx, 0)
	pools[0].release(x, true)
	pools[0].release(y, true)
	waitFor(t, func() bool { return pools[0].size() == 0 })
	if b.count != 0 || b.bytes != 0 || b.expired.Load() != 2 {
		t.Errorf("after the idle timeout the budget holds %d instances, %d bytes, %d expired; want 0, 0, 2", b.count, b.bytes, b.expired.Load())
	}
	in, _ := pools[1].acquire(ctx, 0)
	pools[1].release(in, true)
	if err := pools[1].close(); err != nil {
		t.Fatal(err)
	}
	if b.count != 0 || b.head != nil || b.tail != nil {
		t.Errorf("after close the budget holds %d instances", b.count)
	}
}

// Many pools calling at once under a tight budget: no instance is handed
// to two calls, none is used after it was destroyed, and once every call
// is done the idle instances fit the budget and match the list.
func TestIdleBudgetUnderConcurrentCalls(t *testing.T) {
	const pools, workers, calls, keep = 12, 4, 300, 5
	b := newIdleBudget(keep * unitBytes)
	var destroyed sync.Map
	var created atomic.Int64
	ps := make([]*pool[*int], pools)
	for i := range ps {
		ps[i] = newPool(3, 0, 0, func(context.Context) (*int, error) {
			n := int(created.Add(1))
			return &n, nil
		}, func(in *int) error {
			if _, again := destroyed.LoadOrStore(in, true); again {
				t.Errorf("instance %d destroyed twice", *in)
			}
			return nil
		}).withBudget(b, unit)
	}
	var inUse sync.Map
	var wg sync.WaitGroup
	for i := range pools * workers {
		wg.Go(func() {
			p := ps[i%pools]
			for range calls {
				in, err := p.acquire(context.Background(), 0)
				if err != nil {
					t.Error(err)
					return
				}
				if _, dead := destroyed.Load(in); dead {
					t.Errorf("instance %d handed out after it was destroyed", *in)
				}
				if _, taken := inUse.LoadOrStore(in, true); taken {
					t.Errorf("instance %d handed to two calls", *in)
				}
				inUse.Delete(in)
				p.release(in, true)
			}
		})
	}
	wg.Wait()
	_, total := idleIn(ps)
	alive := 0
	for _, p := range ps {
		alive += p.size()
	}
	t.Logf("%d instances made, %d evicted, %d idle at the end", created.Load(), b.evicted.Load(), total)
	if total > keep || total != b.count || alive != total {
		t.Errorf("%d idle (%d alive), the budget lists %d; want at most %d, all listed", total, alive, b.count, keep)
	}
	var gone int64
	destroyed.Range(func(any, any) bool { gone++; return true })
	if gone+int64(alive) != created.Load() {
		t.Errorf("%d destroyed + %d alive != %d made", gone, alive, created.Load())
	}
	for _, p := range ps {
		if err := p.close(); err != nil {
			t.Error(err)
		}
	}
}

// A budget of 0 keeps no list and evicts nothing.
func TestIdleBudgetZeroIsUnbounded(t *testing.T) {
	b := newIdleBudget(0)
	pools, f := budgetedPools(t, b, 5, 1, 0)
	for _, p := range pools {
		in, _ := p.acquire(context.Background(), 0)
		p.release(in, true)
	}
	if _, total := idleIn(pools); total != 5 || f.destroyed.Load() != 0 || b.count != 0 {
		t.Errorf("%d idle, %d destroyed, %d listed; want 5, 0, 0", total, f.destroyed.Load(), b.count)
	}
}

// What the budget adds to a call's trip through the pool: one more lock
// on acquire and on release (go test -bench PoolRoundTrip -cpu 1,2).
func BenchmarkPoolRoundTrip(b *testing.B) {
	for _, c := range []struct {
		name   string
		budget *idleBudget
	}{{"unbounded", nil}, {"budget", newIdleBudget(1 << 30)}} {
		b.Run(c.name, func(b *testing.B) {
			f := &countingFactory{}
			p := newPool(8, 0, 0, f.create, f.destroy).withBudget(c.budget, unit)
			defer p.close()
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					in, err := p.acquire(ctx, 0)
					if err != nil {
						b.Error(err)
						return
					}
					p.release(in, true)
				}
			})
		})
	}
}
