package host

import (
	"context"
	"os"
	"testing"
	"time"
)

// BenchmarkCallTimeout measures what a per-call deadline costs: wazero's
// WithCloseOnContextDone is on either way; with a timeout every call also
// makes a context with a timer.
func BenchmarkCallTimeout(b *testing.B) {
	add, err := os.ReadFile("../plugins/add.wasm")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		method  string
		timeout time.Duration
	}{
		{"numeric/none", "calc.add", 0},
		{"numeric/5s", "calc.add", 5 * time.Second},
		{"sdk/none", "add.add", 0},
		{"sdk/5s", "add.add", 5 * time.Second},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h, _ := newTestHost(b, map[string][]byte{"calc.wasm": fixture(b, "calc"), "add.wasm": add},
				func(c Config) Config { return c.WithCallTimeout(bc.timeout).WithWatch(false, 0, 0) })
			ctx := context.Background()
			params := []any{int64(3), int64(4)}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := h.Call(ctx, bc.method, params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
