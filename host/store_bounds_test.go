package host

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/store"
)

// TestStoreMemoryIsBoundedPerCall runs calls that write and scan as much as
// they can, concurrently, and checks that the server's memory grows by no
// more than the store bounds allow (issue 12, break 5). Before the bounds, a
// call could buffer up to the namespace quota (256 MiB) and each scan
// copied up to 10,000 values of 1 MiB.
func TestStoreMemoryIsBoundedPerCall(t *testing.T) {
	const (
		mib       = 1 << 20
		stored    = 40 // values of 1 MiB already in the namespace
		callers   = 8  // concurrent flooders, and as many scanners
		rounds    = 3
		txnBytes  = 8 * mib // the defaults
		scanBytes = 8 * mib
	)
	dir := t.TempDir()
	// The namespace already holds 40 MiB: a whole-namespace scan would copy
	// all of it.
	s, err := store.Open(context.Background(), "bbolt", dir, store.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range stored {
		if err := s.Apply(context.Background(), "flood", []store.Write{{Key: fmt.Sprintf("stored%03d", i), Value: make([]byte, mib)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	h, _ := newTestHost(t, map[string][]byte{"flood.wasm": fixture(t, "kvflood")}, func(c Config) Config {
		return c.WithStore(StoreConfig{Driver: "bbolt", Target: dir}).WithPoolSize(2 * callers).WithCallTimeout(30 * time.Second)
	})

	// One of each, to check what the guest and the client see.
	_, err = h.Call(context.Background(), "flood.flood", []any{int64(100)})
	if f := toFault(err); err == nil || f.Code != CodeStorage || !strings.Contains(f.Message, "store.max_txn_bytes") {
		t.Fatalf("a call writing 100 MiB: %v, want fault %d naming store.max_txn_bytes", err, CodeStorage)
	}
	t.Logf("a call writing 100 MiB: %v", err)
	v, err := h.Call(context.Background(), "flood.scan", []any{int64(10000)})
	if n, ok := v.(int64); err != nil || !ok || n >= -1 {
		t.Fatalf("a scan of the 40 MiB namespace: %v, %v; want kv_scan's failure code", v, err)
	}
	v, err = h.Call(context.Background(), "flood.scan", []any{int64(5)})
	if n, ok := v.(int64); err != nil || !ok || n < 5*mib {
		t.Fatalf("a scan of 5 MiB: %v, %v; want its length", v, err)
	}

	peak, how := measurePeak(t, func() {
		var wg sync.WaitGroup
		errs := make(chan error, 2*callers*rounds)
		for range callers {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for range rounds {
					if _, err := h.Call(context.Background(), "flood.flood", []any{int64(100)}); err == nil || toFault(err).Code != CodeStorage {
						errs <- fmt.Errorf("flood: %v", err)
					}
				}
			}()
			go func() {
				defer wg.Done()
				for range rounds {
					if v, err := h.Call(context.Background(), "flood.scan", []any{int64(10000)}); err != nil || v.(int64) >= -1 {
						errs <- fmt.Errorf("scan: %v, %v", v, err)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
	// What the bounds allow: each flooder holds its write set, each
	// scanner a page and one pair more, doubled for the garbage collector's
	// headroom (GOGC=100), plus the instances' linear memory (17 pages).
	bound := int64(2*callers*(txnBytes+mib)+2*callers*(scanBytes+2*mib)) + int64(2*callers)*17*65536 + 64*mib
	t.Logf("%d concurrent calls (%d writing 100 MiB each, %d scanning 40 MiB), %d rounds: peak growth %d MiB (%s); bound %d MiB",
		2*callers, callers, callers, rounds, peak/mib, how, bound/mib)
	if peak > bound {
		t.Errorf("memory grew by %d MiB, over the bound of %d MiB", peak/mib, bound/mib)
	}
	// Nothing of the refused calls was kept.
	u, err := h.store.Usage(context.Background(), "flood")
	if err != nil || u.Keys != stored {
		t.Errorf("usage after refused calls = %+v, %v; want the %d stored keys", u, err, stored)
	}
}

// measurePeak runs fn and returns how far the process's memory rose above
// where it started: the peak resident set (VmHWM, reset through
// /proc/self/clear_refs) where Linux allows, else the Go heap sampled
// every millisecond.
func measurePeak(t *testing.T, fn func()) (int64, string) {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err == nil {
		base, err1 := procStatus("VmRSS")
		fn()
		peak, err2 := procStatus("VmHWM")
		if err1 == nil && err2 == nil {
			return peak - base, "peak RSS"
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := int64(ms.HeapInuse)
	var peak int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, int64(m.HeapInuse))
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak - base, "Go heap in use, sampled"
}

// procStatus reads a "kB" line of /proc/self/status, in bytes.
func procStatus(field string) (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int64
			if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb); err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}
