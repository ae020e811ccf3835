package host

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// echoBatchBody is types.echo of 500 readings shaped like bench's ingest
// batches (a struct per reading: id, source, at, value, tags on half).
func echoBatchBody() []byte {
	var w strings.Builder
	w.WriteString("<?xml version='1.0'?>\n<methodCall>\n<methodName>types.echo</methodName>\n<params>\n<param>\n<value><array><data>\n")
	for j := range 500 {
		fmt.Fprintf(&w, "<value><struct>\n<member>\n<name>id</name>\n<value><string>b00000001-%03d</string></value>\n</member>\n", j)
		w.WriteString("<member>\n<name>source</name>\n<value><string>boiler</string></value>\n</member>\n")
		fmt.Fprintf(&w, "<member>\n<name>at</name>\n<value><dateTime.iso8601>20240301T%02d:%02d:17</dateTime.iso8601></value>\n</member>\n", j/60, j%60)
		w.WriteString("<member>\n<name>value</name>\n<value><double>21.25</double></value>\n</member>\n")
		if j%2 == 0 {
			w.WriteString("<member>\n<name>tags</name>\n<value><array><data>\n<value><string>indoor</string></value>\n</data></array></value>\n</member>\n")
		}
		w.WriteString("</struct></value>\n")
	}
	w.WriteString("</data></array></value>\n</param>\n</params>\n</methodCall>\n")
	return []byte(w.String())
}

// BenchmarkEchoBatch is the host's share of B's real job without the
// store: the whole handler over types.echo of a 500-reading batch.
func BenchmarkEchoBatch(b *testing.B) {
	h := benchHost(b, "types")
	handler := h.Handler()
	body := echoBatchBody()
	rd := bytes.NewReader(body)
	req := httptest.NewRequest(http.MethodPost, "/RPC2", nil)
	req.Header.Set("Content-Type", "text/xml")
	req.Body = io.NopCloser(rd)
	req.ContentLength = int64(len(body))
	rec := httptest.NewRecorder()
	serve := func() {
		rd.Reset(body)
		rec.Body.Reset()
		clear(rec.HeaderMap)
		handler.ServeHTTP(rec, req)
	}
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
