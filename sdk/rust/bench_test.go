package rust_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rpchost/rpchost/host"
)

// BenchmarkAdd calls add(3, 4) through Host.Call on the Rust example and,
// for comparison, on the Go one (plugins/add.wasm), so that `go test
// -bench` shows what a call costs in each SDK.
func BenchmarkAdd(b *testing.B) {
	for _, c := range []struct{ name, file string }{
		{"rust", filepath.Join("examples", "add.wasm")},
		{"go", filepath.Join("..", "..", "plugins", "add.wasm")},
	} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			wasm, err := os.ReadFile(c.file)
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "add.wasm"), wasm, 0o644); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			h, err := host.New(ctx, host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0))
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close(ctx)
			params := []any{int64(3), int64(4)}
			if _, err := h.Call(ctx, "add.add", params); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := h.Call(ctx, "add.add", params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
