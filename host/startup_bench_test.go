package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
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
	for b.Loop() {
		h := start()
		b.StopTimer()
		if err := h.Close(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
