package host

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// soakDuration is 5 s by default, so CI runs the soak on every push;
// RPCHOST_SOAK=10m runs it for as long as you like.
func soakDuration(t *testing.T) time.Duration {
	if s := os.Getenv("RPCHOST_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("RPCHOST_SOAK=%q: %v", s, err)
		}
		return d
	}
	return 5 * time.Second
}

// A soak: many HTTP clients mix good calls with trapping calls, timeouts,
// bad arguments and malformed requests. Every good call must succeed, every
// bad one must get its fault, and afterwards goroutines, instances and
// memory must be back near where they started.
func TestSoakMixedTrafficLeavesNothingBehind(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc"), "hostile.wasm": fixture(t, "hostile"),
		"slowbody.wasm": fixture(t, "slowbody"), "kvflood.wasm": fixture(t, "kvflood"),
		// The slow cases get a copy of their own: under the race detector
		// they would otherwise hold every instance of hostile, and the
		// fast cases would wait past their 100 ms for one.
		"slow.wasm": fixture(t, "hostile")},
		func(c Config) Config {
			return c.WithPoolSize(4).WithCallTimeout(5*time.Second).WithLoadTimeout(200*time.Millisecond).
				WithStore(StoreConfig{Driver: "bbolt", Target: t.TempDir(), Limits: StoreLimits{MaxTxnBytes: 4 << 20, MaxScanBytes: 4 << 20}}).
				WithPluginLimits("hostile", Limits{CallTimeout: 100 * time.Millisecond}).
				WithPluginLimits("slow", Limits{CallTimeout: 100 * time.Millisecond}).
				WithPluginLimits("slowbody", Limits{CallTimeout: 100 * time.Millisecond})
		})
	srv := httptest.NewServer(h.Handler())
	transport := &http.Transport{MaxIdleConnsPerHost: 32}
	client := &http.Client{Transport: transport}
	runtime.GC()
	baseGoroutines, baseHeap := runtime.NumGoroutine(), heapInUse()

	mix := []struct {
		name string
		body []byte
		want any // a value, or the fault code as an int
		slow bool
	}{
		{"good", request(t, "calc.add", int64(3), int64(4)), int64(7), false},
		{"good bare", request(t, "add", int64(40), int64(2)), int64(42), false},
		{"trap", request(t, "hostile.crash"), CodeTrap, false},
		{"timeout", request(t, "slow.spin"), CodeTimeout, true},
		// Slow iterations: bulk memory, host calls, a huge body.
		{"fill", request(t, "slow.fill"), CodeTimeout, true},
		{"random", request(t, "slow.random"), CodeTimeout, true},
		{"iovecs", request(t, "slow.iovecs"), CodeTimeout, true},
		{"huge body", request(t, "slowbody.run"), CodeTimeout, true},
		// A call writing past store.max_txn_bytes keeps nothing.
		{"store flood", request(t, "kvflood.flood", int64(100)), CodeStorage, true},
		{"multicall", request(t, "system.multicall", []any{
			abi.Struct{{Name: "methodName", Value: "calc.add"}, {Name: "params", Value: []any{int64(1), int64(2)}}},
			abi.Struct{{Name: "methodName", Value: "calc.add"}, {Name: "params", Value: []any{int64(3), int64(4)}}},
		}), []any{[]any{int64(3)}, []any{int64(7)}}, false},
		{"bad params", request(t, "calc.add", "x", int64(1)), abi.CodeInvalidParams, false},
		{"missing", request(t, "calc.nope"), abi.CodeMethodNotFound, false},
		{"malformed", []byte("<methodCall><methodName>calc.add</methodName><params>"), abi.CodeParseError, false},
		{"entities", []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><methodCall/>`), abi.CodeInvalidRequest, false},
	}
	counts := make([]atomic.Int64, len(mix))
	var wrong atomic.Int64
	var firstWrong atomic.Value
	deadline := time.Now().Add(soakDuration(t))
	var wg sync.WaitGroup
	// Meanwhile, a module whose start function loops is uploaded again and
	// again: each is refused at load_timeout, and no call waits for it.
	var loopsRefused atomic.Int64
	wg.Go(func() {
		looper := fixture(t, "loop_start")
		for time.Now().Before(deadline) {
			if _, err := h.Upload(context.Background(), "looper", looper); err == nil {
				wrong.Add(1)
				firstWrong.CompareAndSwap(nil, "a looping start function was accepted")
				return
			}
			loopsRefused.Add(1)
		}
	})
	for c := 0; c < 24; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := c; time.Now().Before(deadline); i++ {
				k := i % len(mix)
				if mix[k].slow && c%6 != 0 { // timeouts are slow: a quarter of the clients send them
					k = 0
				}
				v, err := postCall(client, srv.URL, mix[k].body)
				counts[k].Add(1)
				if !matches(v, err, mix[k].want) {
					wrong.Add(1)
					firstWrong.CompareAndSwap(nil, fmt.Sprintf("%s: %v, %v", mix[k].name, v, err))
				}
			}
		}(c)
	}
	wg.Wait()
	transport.CloseIdleConnections()
	srv.Close()

	for k := range mix {
		t.Logf("%-11s %6d calls", mix[k].name, counts[k].Load())
	}
	t.Logf("%-11s %6d refused at load_timeout", "looping start", loopsRefused.Load())
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d calls got the wrong answer; first: %v", n, firstWrong.Load())
	}
	eventually(t, "goroutines are back near the baseline", func() bool { return runtime.NumGoroutine() <= baseGoroutines+2 })
	if live, most := h.runtime.LiveInstances(), 4*len(h.Plugins()); live > most {
		t.Errorf("%d instances alive after the soak; %d plugins of 4 instances hold at most %d", live, len(h.Plugins()), most)
	}
	// Twice: wazero frees a closed instance's engine through a finalizer,
	// and what a finalizer's object holds (its linear memory) goes only
	// at the collection after the one that ran the finalizer.
	runtime.GC()
	runtime.GC()
	if grown := int64(heapInUse()) - int64(baseHeap); grown > 64<<20 {
		t.Errorf("heap grew by %d MiB over the soak", grown>>20)
	}
	t.Logf("heap %d → %d KiB, goroutines %d → %d, live instances %d",
		baseHeap>>10, heapInUse()>>10, baseGoroutines, runtime.NumGoroutine(), h.runtime.LiveInstances())
}

func request(t *testing.T, method string, params ...any) []byte {
	t.Helper()
	b, err := xmlrpc.AppendRequest(nil, method, params)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// matches reports whether a call's outcome is want: a value, or an int
// fault code.
func matches(v any, err error, want any) bool {
	if code, ok := want.(int); ok {
		f, isFault := err.(*abi.Fault)
		return isFault && f.Code == code
	}
	return err == nil && reflect.DeepEqual(v, want)
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
