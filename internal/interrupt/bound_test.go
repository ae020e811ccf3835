package interrupt

import (
	"context"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// The workloads below are the slowest ways found to spend fuel: each runs
// until stopped, and the test measures how long a set flag and a garbage
// collection wait for it, which bounds the time between two exits to Go.
// Run with -v to see the figures quoted in RATIONALE.md.

// memPages is the memory the workloads use: 64 MiB, rpchost's default limit.
const memPages = 1024

// workload is a module whose export "run" never returns.
type workload struct {
	name   string
	module []byte
}

func workloads(testing.TB) []workload {
	const mib = 1 << 20
	loopForever := func(body ...byte) []byte {
		b := append([]byte{0, opLoop, blockTypeEmpty}, body...) // no locals
		return append(b, 0x0c, 0, opEnd, opEnd)                 // br 0
	}
	callInLoop := func(callee byte) []byte { return loopForever(opCall, callee) }
	rng := rand.New(rand.NewPCG(1, 2))
	// 30,000 loads from random addresses over 64 MiB: cache and TLB misses.
	loads := []byte{1, 1, 0x7f} // one i32 local
	for i := 0; i < 30000; i++ {
		loads = append(loads, 0x20, 0, opI32Const)
		loads = appendS32(loads, int32(rng.IntN(memPages<<16-4)))
		loads = append(loads, 0x28, 2, 0, 0x6a, 0x21, 0) // i32.load; i32.add; local.set 0
	}
	loads = append(loads, opEnd)
	// 30,000 dependent 64-bit divisions by a divisor read from memory.
	divs := []byte{1, 1, 0x7e}                              // one i64 local
	divs = append(divs, opI32Const, 0, 0x42, 3, 0x37, 3, 0) // i64.store [0] = 3
	divs = append(divs, 0x42, 0x7f, 0x21, 0)                // local.set 0 = -1
	for i := 0; i < 30000; i++ {
		divs = append(divs, 0x20, 0, opI32Const, 0, 0x29, 3, 0, 0x80, 0x21, 0) // x = x / [0]
		divs = append(divs, 0x20, 0, 0x42, 0x7f, 0x85, 0x21, 0)                // x = x ^ -1
	}
	divs = append(divs, opEnd)
	empty := []byte{0, opEnd}
	return []workload{
		{"memory.fill 64 MiB in a loop", buildModule(loopForever(
			opI32Const, 0, opI32Const, 0, opI32Const, 0x80, 0x80, 0x80, 0x20, prefixMisc, 11, 0))},
		{"memory.copy 32 MiB in a loop", buildModule(loopForever(
			opI32Const, 0, opI32Const, 0x80, 0x80, 0x80, 0x10, opI32Const, 0x80, 0x80, 0x80, 0x10, prefixMisc, 10, 0, 0))},
		{"30,000 random loads called in a loop", buildModule(callInLoop(1), loads)},
		{"30,000 divisions called in a loop", buildModule(callInLoop(1), divs)},
		{"empty function called in a loop", buildModule(callInLoop(1), empty)},
		{"call_indirect in a loop", buildModule(loopForever(opI32Const, 0, opCallIndirect, 0, 0), empty)},
		{"nested tight loops", buildModule([]byte{0, opLoop, blockTypeEmpty, opLoop, blockTypeEmpty, 0x0c, 0, opEnd, opEnd, opEnd})},
	}
}

// buildModule returns a module of functions of type () -> () with the
// given bodies (locals included), a 64 MiB memory, a table holding
// function 1 (or 0) at index 0, and the first function exported as "run".
func buildModule(bodies ...[]byte) []byte {
	n := byte(len(bodies))
	m := append([]byte{}, magic...)
	m = appendSection(m, 1, []byte{1, 0x60, 0, 0})
	fs := []byte{n}
	for range bodies {
		fs = append(fs, 0)
	}
	m = appendSection(m, 3, fs)
	m = appendSection(m, 4, []byte{1, 0x70, 0, 1})
	m = appendSection(m, 5, append([]byte{1, 0}, appendU32(nil, memPages)...))
	m = appendSection(m, 7, append(appendName([]byte{1}, "run"), 0, 0))
	m = appendSection(m, 9, []byte{1, 0, opI32Const, 0, opEnd, 1, n - 1})
	code := []byte{n}
	for _, b := range bodies {
		code = appendU32(code, uint32(len(b)))
		code = append(code, b...)
	}
	return appendSection(m, 10, code)
}

func TestWorstTimeBetweenExits(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	defer rt.Close(ctx)
	for _, w := range workloads(t) {
		mod, err := rt.Instantiate(ctx, mustInstrument(t, w.module))
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		before := stwStopping()
		stop, gc := measureStops(t, mod, 8)
		stw := worstSince(before, stwStopping())
		t.Logf("%-38s worst: flag→stop %6.2f ms, stopping the world %6.2f ms, runtime.GC %6.2f ms", w.name, ms(stop), ms(stw), ms(gc))
		// Generous: a shared CI machine stalls; without weights these
		// took tens of seconds.
		if stop > time.Second || stw > time.Second {
			t.Errorf("%s: worst stop %v, worst stop-the-world wait %v; want both well under a second", w.name, stop, stw)
		}
		mod.Close(ctx)
	}
}

// measureStops runs "run" n times, each time sets the flag after a random
// delay, and returns the longest wait for the call to stop and for a
// garbage collection started while it ran.
func measureStops(t *testing.T, mod api.Module, n int) (worstStop, worstGC time.Duration) {
	fl := flag(t, mod)
	run := mod.ExportedFunction("run")
	for i := 0; i < n; i++ {
		fl.Set(0)
		done := make(chan error, 1)
		go func() {
			_, err := run.Call(context.Background())
			done <- err
		}()
		time.Sleep(time.Duration(1+rand.IntN(20)) * time.Millisecond)
		start := time.Now()
		runtime.GC()
		worstGC = max(worstGC, time.Since(start))
		time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
		start = time.Now()
		fl.Set(1)
		err := <-done
		worstStop = max(worstStop, time.Since(start))
		if err == nil || !strings.Contains(err.Error(), "unreachable") {
			t.Fatalf("run returned %v, want an unreachable trap", err)
		}
	}
	return worstStop, worstGC
}

// stwStopping reads the histogram of the time the runtime waited for
// every goroutine to stop for a garbage collection: the wait a guest that
// never returned to Go would make endless.
func stwStopping() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: "/sched/pauses/stopping/gc:seconds"}}
	metrics.Read(s)
	return s[0].Value.Float64Histogram()
}

// worstSince returns the upper bound of the highest bucket that gained a
// sample between two readings.
func worstSince(before, after *metrics.Float64Histogram) time.Duration {
	for i := len(after.Counts) - 1; i >= 0; i-- {
		if after.Counts[i] > before.Counts[i] {
			return time.Duration(min(after.Buckets[i+1], 3600) * float64(time.Second))
		}
	}
	return 0
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
