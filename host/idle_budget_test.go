package host

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Eight copies of add each called once under pool.max_idle_bytes of about
// three Go instances keep at most three idle instances, those called last;
// the others are destroyed and counted, and a plugin whose instance went
// answers its next call with a new one. Calls made at once from many
// plugins keep within the budget too.
func TestIdleBudgetBoundsEveryPluginsIdleInstances(t *testing.T) {
	add, err := os.ReadFile("../plugins/add.wasm")
	if err != nil {
		t.Fatal(err)
	}
	const copies = 8
	files := map[string][]byte{}
	for i := range copies {
		files[fmt.Sprintf("p%d.wasm", i)] = add
	}
	// A Go guest's idle instance counts about 3.6 MiB (2.6 of linear
	// memory, 1 of wazero's state): 12 MiB holds three, not four.
	const budget = 12 << 20
	h, _ := newTestHost(t, files, func(c Config) Config {
		return c.WithPoolMaxIdleBytes(budget).WithCallTimeout(20 * time.Second).WithPoolIdleTimeout(time.Hour)
	})
	ctx := context.Background()
	call := func(i int) {
		t.Helper()
		if v, err := h.Call(ctx, fmt.Sprintf("p%d.add", i), []any{int64(i), int64(1)}); err != nil || v != int64(i+1) {
			t.Errorf("p%d.add(%d, 1) = %v, %v", i, i, v, err)
		}
	}
	idleByPlugin := func() (idle []string, total int) {
		for i := range copies {
			if n := h.current(fmt.Sprintf("p%d", i)).plugin.PoolStats().Idle; n > 0 {
				idle = append(idle, fmt.Sprintf("p%d", i))
				total += n
			}
		}
		return idle, total
	}
	for i := range copies {
		call(i)
	}
	idle, total := idleByPlugin()
	s := h.runtime.IdleStats()
	t.Logf("idle after one call to each: %v, %d bytes (%.1f MiB per instance), %d evicted", idle, s.Bytes, float64(s.Bytes)/float64(max(total, 1))/(1<<20), s.Evicted)
	if total < 1 || total > 3 || s.Instances != total || s.Bytes > budget {
		t.Fatalf("%d idle instances (the budget lists %d, %d bytes), want 1 to 3 within %d bytes", total, s.Instances, s.Bytes, budget)
	}
	if want := fmt.Sprintf("p%d", copies-1); idle[len(idle)-1] != want {
		t.Errorf("idle in %v: the plugin called last, %s, lost its instance", idle, want)
	}
	if s.Evicted != uint64(copies-total) || h.runtime.LiveInstances() != total {
		t.Errorf("%d evicted, %d alive; want %d evicted and only the idle alive", s.Evicted, h.runtime.LiveInstances(), copies-total)
	}
	if st := h.current("p0").plugin.PoolStats(); st.Evicted != 1 {
		t.Errorf("p0: %+v, want its instance evicted", st)
	}
	call(0) // its instance was evicted: the call makes one

	var wg sync.WaitGroup
	for i := range copies {
		wg.Go(func() {
			for range 5 {
				call(i)
			}
		})
	}
	wg.Wait()
	if _, total := idleByPlugin(); total > 3 || h.runtime.IdleStats().Bytes > budget {
		t.Errorf("after concurrent calls: %d idle, %d bytes, want at most 3 within %d", total, h.runtime.IdleStats().Bytes, budget)
	}

	fams := scrape(t, h.Handler())
	if n, ok := metricSample(fams, "rpchost_instances_evicted_total", "reason", "idle_budget"); !ok || n < copies-3 {
		t.Errorf(`rpchost_instances_evicted_total{reason="idle_budget"} = %v (present %v), want at least %d`, n, ok, copies-3)
	}
	if _, ok := metricSample(fams, "rpchost_instances_evicted_total", "reason", "idle_timeout"); !ok {
		t.Error(`rpchost_instances_evicted_total{reason="idle_timeout"} is missing`)
	}
	if n, _ := metricSample(fams, "rpchost_idle_instance_bytes"); n <= 0 || n > budget {
		t.Errorf("rpchost_idle_instance_bytes = %v, want within (0, %d]", n, budget)
	}
}

func TestIdleBudgetRefusesNegative(t *testing.T) {
	err := NewConfig().WithPoolMaxIdleBytes(-1).validate()
	if err == nil || !strings.Contains(err.Error(), "pool.max_idle_bytes: -1 is negative") {
		t.Errorf("validate: %v, want pool.max_idle_bytes named", err)
	}
	if err := NewConfig().WithPoolMaxIdleBytes(0).validate(); err != nil {
		t.Errorf("0 (no bound) was refused: %v", err)
	}
}
