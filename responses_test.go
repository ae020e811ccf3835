package rpchost_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestUnreadResponsesHoldBoundedMemory: clients that ask for large
// results and never read them hold their responses for
// http.write_timeout; those responses are charged to
// limits.max_inflight_bytes, so once they hold it, further requests are
// refused (503) before any call runs, and memory stays near the budget
// instead of growing with every slow reader.
func TestUnreadResponsesHoldBoundedMemory(t *testing.T) {
	const inflight = 32 << 20
	s := startServer(t, recordsDir(t),
		fmt.Sprintf("RPCHOST_LIMITS_MAX_INFLIGHT_BYTES=%d", inflight), "RPCHOST_LIMITS_MAX_BODY_BYTES=4194304",
		"RPCHOST_HTTP_WRITE_TIMEOUT=60s", "RPCHOST_LIMITS_CALL_TIMEOUT=30s")
	c := dial(t, s.URL)
	for i := range 10 {
		var batch []any
		for j := range 100 {
			batch = append(batch, recordReading(fmt.Sprintf("r%05d", i*100+j), "src", time.Date(2026, 1, 2, 3, 4, i*100+j, 0, time.UTC), 1.5, "a-tag", "another-tag"))
		}
		if stored, reasons := recordsIngest(t, c, "records.ingest", batch...); stored != 100 {
			t.Fatalf("ingest stored %d: %v", stored, reasons)
		}
	}
	// A multicall of queries, each returning all 1,000 records: a small
	// request, a large response.
	var calls strings.Builder
	for range 24 {
		calls.WriteString(`<value><struct><member><name>methodName</name><value>records.query</value></member><member><name>params</name><value><array><data><value><struct><member><name>limit</name><value><int>1000</int></value></member></struct></value></data></array></value></member></struct></value>`)
	}
	body := `<?xml version="1.0"?><methodCall><methodName>system.multicall</methodName><params><param><value><array><data>` + calls.String() + `</data></array></value></param></params></methodCall>`
	u, _ := url.Parse(s.URL)
	request := fmt.Sprintf("POST / HTTP/1.1\r\nHost: rpchost\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)

	// The size of one response, read in full.
	one, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = one.Write([]byte(request))
	resp, err := http.ReadResponse(bufio.NewReader(one), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	one.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength < 8<<20 {
		t.Fatalf("the multicall got %s, %d bytes; want 200 and over 8 MiB", resp.Status, resp.ContentLength)
	}
	size := resp.ContentLength
	time.Sleep(300 * time.Millisecond)
	idle, _ := procMemory(t, s)

	// Slow readers, one after another: each sends the request, reads the
	// status line of its answer and nothing more.
	const readers = 20
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var ok, busy int
	for range readers {
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.(*net.TCPConn).SetReadBuffer(4096)
		conns = append(conns, c)
		_, _ = c.Write([]byte(request))
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		line, _ := bufio.NewReaderSize(c, 16).ReadString('\n')
		switch {
		case strings.HasPrefix(line, "HTTP/1.1 200"):
			ok++
		case strings.HasPrefix(line, "HTTP/1.1 503"):
			busy++
		default:
			t.Fatalf("a slow reader got %q", line)
		}
	}
	_, peak := procMemory(t, s)
	// The budget, plus the response admitted before it filled (the readers
	// come one at a time) and the one being built (its Go values and its
	// XML); x2 for the collector.
	bound := 2 * (inflight + 3*size)
	t.Logf("%d slow readers each asking for a %d MiB response: %d answered, %d refused with 503; peak resident %d MiB over idle (%d MiB); bound %d MiB",
		readers, size>>20, ok, busy, (peak-idle)>>20, idle>>20, bound>>20)
	if busy == 0 {
		t.Errorf("all %d slow readers were answered: their responses were not charged to limits.max_inflight_bytes", readers)
	}
	if peak-idle > bound {
		t.Errorf("unread responses took %d MiB over idle; want at most %d MiB (limits.max_inflight_bytes %d MiB)", (peak-idle)>>20, bound>>20, inflight>>20)
	}
}
