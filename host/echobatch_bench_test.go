package host

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/rpchost/rpchost/internal/testutil"
)

// BenchmarkEchoBatch is the host's share of B's real job without the
// store: the whole handler over types.echo of a 500-reading batch, shaped
// like bench's ingest batches.
func BenchmarkEchoBatch(b *testing.B) {
	h := benchHost(b, "types")
	body := testutil.ReadingsCall("types.echo", 500)
	serve, rec := handlerBench(h.Handler(), body)
	serve()
	if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte("b00000001-499")) {
		b.Fatalf("got %d %.300s", rec.Code, rec.Body.String())
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/500/1000, "µs/reading")
}
