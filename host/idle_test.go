package host

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// Plugins hold no instance until they are called; copies of one module
// loaded with the same settings are described once; an instance no call
// used for pool.idle_timeout is destroyed, and the next call makes one.
func TestIdlePluginsHoldNoInstances(t *testing.T) {
	add, err := os.ReadFile("../plugins/add.wasm")
	if err != nil {
		t.Fatal(err)
	}
	const copies = 4
	files := map[string][]byte{}
	for i := range copies {
		files[fmt.Sprintf("p%d.wasm", i)] = add
	}
	const idle = 300 * time.Millisecond
	h, _ := newTestHost(t, files, func(c Config) Config {
		return c.WithPoolIdleTimeout(idle).WithCallTimeout(10*time.Second).
			// p3 reads another configuration: it must describe itself.
			WithPluginConfig("p3", map[string]any{"unit": "m"})
	})
	if n := len(h.Plugins()); n != copies {
		t.Fatalf("%d plugins loaded, want %d", n, copies)
	}
	if live := h.runtime.LiveInstances(); live != 0 {
		t.Errorf("%d instances alive after load, want none", live)
	}
	// p0 (or whichever loaded first) and p3 ran rpchost_describe; the
	// other two copies took p0's manifest.
	if made := h.runtime.InstancesMade(); made != 2 {
		t.Errorf("%d instances made to load %d copies (one with its own configuration), want 2", made, copies)
	}
	for i := range copies {
		if names := h.Plugins()[i].Methods; len(names) == 0 {
			t.Errorf("plugin %d lists no methods", i)
		}
	}

	ctx := context.Background()
	start := time.Now()
	if v, err := h.Call(ctx, "p1.add", []any{int64(3), int64(4)}); err != nil || v != int64(7) {
		t.Fatalf("p1.add(3, 4) = %v, %v", v, err)
	}
	t.Logf("first call to a plugin with no instance: %v", time.Since(start))
	p1 := h.current("p1").plugin
	if s := p1.PoolStats(); s.Idle != 1 || s.Busy != 0 || s.Created != 1 {
		t.Errorf("after one call: %+v, want 1 idle instance", s)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p1.Instances() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the idle instance is still alive 10s after its call (pool.idle_timeout %v)", idle)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s := p1.PoolStats(); s.IdleReleased != 1 {
		t.Errorf("after the idle timeout: %+v, want 1 released", s)
	}
	if v, err := h.Call(ctx, "p1.add", []any{int64(5), int64(6)}); err != nil || v != int64(11) {
		t.Fatalf("after its instance was released, p1.add(5, 6) = %v, %v", v, err)
	}
}

// Copies of a module whose set-up loops are refused with its reason, and
// the loop runs once, not once per copy.
func TestCopiesOfALoopingModuleLoopOnce(t *testing.T) {
	loop := fixture(t, "loop_init")
	files := map[string][]byte{}
	for i := range 5 {
		files[fmt.Sprintf("loop%d.wasm", i)] = loop
	}
	start := time.Now()
	h, logs := newTestHost(t, files, func(c Config) Config { return c.WithLoadTimeout(300 * time.Millisecond) })
	t.Logf("5 copies refused in %v", time.Since(start))
	if n := len(h.Plugins()); n != 0 {
		t.Errorf("%d copies loaded", n)
	}
	if n := strings.Count(logs.String(), "_initialize did not finish within 300ms (limits.load_timeout)"); n != 5 {
		t.Errorf("%d copies refused for their loop, want 5:\n%s", n, logs)
	}
	if made := h.runtime.InstancesMade(); made != 1 {
		t.Errorf("%d instances made for 5 copies, want 1", made)
	}
}
