package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/testutil"
)

// BenchmarkNewShippedPlugins measures New over a copy of ../plugins with a
// warm compilation cache: what `rpchost serve` spends between reading its
// configuration and listening. It reports how many plugins loaded (a
// module needing a capability the default configuration lacks is skipped,
// as the server would). Closing the host is not counted. Profile it with
//
//	go test ./host -run '^$' -bench NewShippedPlugins -cpuprofile cpu.out
func BenchmarkNewShippedPlugins(b *testing.B) {
	shipped, err := filepath.Glob(filepath.Join("..", "plugins", "*.wasm"))
	if err != nil || len(shipped) == 0 {
		b.Fatalf("no shipped plugins in ../plugins (%v)", err)
	}
	dir := b.TempDir()
	for _, src := range shipped {
		wasm, err := os.ReadFile(src)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), wasm, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	cfg := NewConfig().
		WithPluginDir(dir).
		WithCompilationCacheDir(b.TempDir()).
		WithWatch(false, time.Second, time.Second)
	start := func() *Host {
		h, err := New(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	h := start() // fills the cache
	loaded := len(h.Plugins())
	if err := h.Close(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(loaded), "plugins")
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		before := testutil.CPUTime()
		h := start()
		cpu += testutil.CPUTime() - before
		b.StopTimer()
		if err := h.Close(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// BenchmarkNewCopies measures New over 200 identical copies of the shipped
// add.wasm with a warm compilation cache: the per-copy cost of a plugin
// directory like the harness's 1,000 copies, without its minute of set-up.
// It reports the CPU time per copy, steadier than wall time on a shared
// machine.
func BenchmarkNewCopies(b *testing.B) {
	const copies = 200
	wasm, err := os.ReadFile(filepath.Join("..", "plugins", "add.wasm"))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for i := range copies {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("add%04d.wasm", i)), wasm, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	cfg := NewConfig().
		WithPluginDir(dir).
		WithCompilationCacheDir(b.TempDir()).
		WithWatch(false, time.Second, time.Second)
	start := func() *Host {
		h, err := New(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(h.Plugins()); n != copies {
			b.Fatalf("%d plugins loaded, want %d", n, copies)
		}
		return h
	}
	if err := start().Close(ctx); err != nil { // fills the cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		before := testutil.CPUTime()
		h := start()
		cpu += testutil.CPUTime() - before
		b.StopTimer()
		if err := h.Close(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*copies), "cpu-µs/copy")
}
