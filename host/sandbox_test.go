package host

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileGo builds testdata/hostilego, a Go guest that panics, runs out of
// memory and floods stdout, once per test binary.
var hostileGo = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "hostilego")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "hostilego.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-o", out, "./testdata/hostilego")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, &buildError{err: err, out: string(b)}
	}
	return os.ReadFile(out)
})

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string {
	return "build testdata/hostilego: " + e.err.Error() + "\n" + e.out
}

type hostileCase struct {
	method string
	params []any
	code   int
	says   string // the fault message must contain this
}

// checkHostile calls each case, expects its fault, and checks that a good
// procedure still answers after each one.
func checkHostile(t *testing.T, h *Host, cases []hostileCase) {
	t.Helper()
	ctx := context.Background()
	for _, tc := range cases {
		start := time.Now()
		_, err := h.Call(ctx, tc.method, tc.params)
		if err == nil {
			t.Errorf("%s: no fault", tc.method)
			continue
		}
		f := toFault(err)
		if f.Code != tc.code || !strings.Contains(f.Message, tc.says) {
			t.Errorf("%s: fault %d %q; want code %d saying %q", tc.method, f.Code, f.Message, tc.code, tc.says)
		}
		if strings.Contains(f.Message, "wasm stack trace") || strings.Contains(f.Message, "\n") {
			t.Errorf("%s: the fault carries a stack trace: %q", tc.method, f.Message)
		}
		t.Logf("%-20s → %d %s (%v)", tc.method, f.Code, f.Message, time.Since(start).Round(time.Millisecond))
		if got, err := h.Call(ctx, "calc.add", []any{int64(3), int64(4)}); err != nil || got != int64(7) {
			t.Fatalf("after %s, calc.add(3, 4) = %v, %v", tc.method, got, err)
		}
	}
}

func TestHostileWasmEndsInSpecificFaults(t *testing.T) {
	// spinner is hostile.wasm with a short time limit; hostile's is long,
	// because a stack overflow or a memory bomb takes a while under -race.
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc"), "hostile.wasm": fixture(t, "hostile"),
		"spinner.wasm": fixture(t, "hostile")},
		func(c Config) Config {
			return c.WithPluginLimits("hostile", Limits{CallTimeout: 30 * time.Second, MemoryBytes: 16 << 20}).
				WithPluginLimits("spinner", Limits{CallTimeout: 500 * time.Millisecond})
		})
	checkHostile(t, h, []hostileCase{
		{"spinner.spin", nil, CodeTimeout, "time limit"},
		{"spinner.fill", nil, CodeTimeout, "time limit"},
		{"spinner.copy", nil, CodeTimeout, "time limit"},
		{"spinner.random", nil, CodeTimeout, "time limit"},
		{"spinner.iovecs", nil, CodeTimeout, "time limit"},
		{"spinner.polls", nil, CodeTimeout, "time limit"},
		{"hostile.bomb", nil, CodeMemoryLimit, "16777216 bytes allowed"},
		{"hostile.recurse", []any{int64(0)}, CodeTrap, "stack overflow"},
		{"hostile.crash", nil, CodeTrap, "unreachable"},
		{"hostile.divzero", []any{int64(0)}, CodeTrap, "divide by zero"},
		{"hostile.oob", nil, CodeTrap, "out of bounds"},
		{"hostile.spew", []any{int64(1000)}, CodeOutputLimit, "limits.max_output_bytes"},
		{"hostile.quit", nil, CodeTrap, "exited with code 3"},
	})
	for _, p := range h.Plugins() {
		if p.Name == "hostile" && p.Instances != 0 {
			t.Errorf("%d hostile instances alive: each that misbehaved should have been discarded", p.Instances)
		}
	}
	if !strings.Contains(logs.String(), "wasm stack trace") {
		t.Error("the log lacks the wasm stack traces the faults leave out")
	}
	if n := strings.Count(logs.String(), "hostile output"); n == 0 || n > 20 {
		t.Errorf("the log has %d lines of the spewing guest's output; want some, capped by the output budget", n)
	}
}

func TestHostileGoGuestEndsInSpecificFaults(t *testing.T) {
	wasm, err := hostileGo()
	if err != nil {
		t.Fatal(err)
	}
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc"), "hostilego.wasm": wasm},
		func(c Config) Config {
			return c.WithPluginLimits("hostilego", Limits{CallTimeout: 10 * time.Second, MemoryBytes: 32 << 20, MaxResultBytes: 1 << 20}).
				WithMaxItems(10_000)
		})
	checkHostile(t, h, []hostileCase{
		{"hostilego.panic", nil, -32500, "panic: boom"},
		{"hostilego.oom", nil, CodeMemoryLimit, "ran out of memory"},
		{"hostilego.spew", nil, CodeOutputLimit, "limits.max_output_bytes"},
		{"hostilego.big", []any{int64(2 << 20)}, CodeResultTooLarge, "limits.max_result_bytes"},
		// 10 KB encoded, far under max_result_bytes, but more values
		// than a request may hold: refused by count.
		{"hostilego.many", []any{int64(10_001)}, CodeResultTooLarge, "more than 10000 array elements and struct members (limits.max_items)"},
	})
	if got, err := h.Call(context.Background(), "hostilego.ok", nil); err != nil || got != "fine" {
		t.Errorf("hostilego.ok after all that = %v, %v", got, err)
	}
	if !strings.Contains(logs.String(), "panic: boom") {
		t.Error("the log lacks the panic")
	}
}

func TestAFullQueueIsRefusedAtOnce(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")},
		func(c Config) Config {
			return c.WithPluginLimits("calc", Limits{PoolSize: 1, MaxQueue: 1, CallTimeout: 2 * time.Second})
		})
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ { // one spins on the only instance, one waits
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = h.Call(ctx, "calc.spin", nil)
		}()
		time.Sleep(100 * time.Millisecond)
	}
	_, err := h.Call(ctx, "calc.add", []any{int64(1), int64(1)})
	if f := toFault(err); err == nil || f.Code != CodeBusy || !strings.Contains(f.Message, "limits.max_queue") {
		t.Errorf("a third call: %v; want a busy fault naming limits.max_queue", err)
	}
	wg.Wait()
}
