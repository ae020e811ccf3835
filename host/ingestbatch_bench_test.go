package host

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/rpchost/rpchost/internal/testutil"
)

// BenchmarkIngestBatch is B's real job in process: the whole handler over
// records.ingest of a 500-reading batch on a bbolt store, every call
// replacing the previous call's 500 readings (as half of bench's ingest
// requests do; the other half insert).
func BenchmarkIngestBatch(b *testing.B) {
	dir := b.TempDir()
	h := benchHost(b, "records", func(c Config) Config {
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
	for b.Loop() {
		serve()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/500/1000, "µs/reading")
}
