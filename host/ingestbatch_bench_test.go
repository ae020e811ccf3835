package host

import (
	"bytes"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/rpchost/rpchost/internal/testutil"
)

// BenchmarkIngestBatch is B's real job in process: the whole handler over
// records.ingest of a 500-reading batch on a bbolt store, every call
// replacing the previous call's 500 readings (as half of bench's ingest
// requests do; the other half insert). Sub-benchmark "go" serves the
// shipped plugins/records.wasm, "rust" the same service built from Rust
// (sdk/rust/examples/records.wasm): the difference is the guest
// language's share.
func BenchmarkIngestBatch(b *testing.B) {
	for _, m := range []struct{ name, path string }{
		{"go", filepath.Join("..", "plugins", "records.wasm")},
		{"rust", filepath.Join("..", "sdk", "rust", "examples", "records.wasm")},
	} {
		b.Run(m.name, func(b *testing.B) {
			dir := b.TempDir()
			h := benchHostOf(b, "records", m.path, func(c Config) Config {
				return c.WithStore(StoreConfig{Driver: "bbolt", Target: dir})
			})
			body := testutil.ReadingsCall("records.ingest", 500)
			serve, rec := handlerBench(h.Handler(), body)
			serve()
			if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte("<name>stored</name><value><int>500</int>")) {
				b.Fatalf("got %d %.300s", rec.Code, rec.Body.String())
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			cpu := testutil.CPUTime()
			for b.Loop() {
				serve()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/500/1000, "µs/reading")
			// The process's CPU time (GC included) per reading: steadier
			// than wall time on a machine others share.
			b.ReportMetric(float64((testutil.CPUTime()-cpu).Nanoseconds())/float64(b.N)/500/1000, "cpu-µs/reading")
		})
	}
}
