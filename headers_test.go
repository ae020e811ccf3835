package rpchost_test

import (
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// defaultMaxHeaderBytes is http.max_header_bytes's default (README,
// Configuration).
const defaultMaxHeaderBytes = 32 << 10

// TestLargeHeadersHoldBoundedMemory: connections that send headers as
// large as the server allows and never finish them hold at most
// connectionBytes each (README's formula, Worst-case memory), and one
// sending a header line of 1 MiB is answered 431 once it passes
// http.max_header_bytes, not read into memory whole.
func TestLargeHeadersHoldBoundedMemory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))
	s := startServer(t, dir, "RPCHOST_HTTP_READ_HEADER_TIMEOUT=30s")
	u, _ := url.Parse(s.URL)
	time.Sleep(300 * time.Millisecond)
	idle, _ := procMemory(t, s)

	// A header line of 1 MiB: the server answers 431 and closes.
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	go func() {
		_, _ = c.Write([]byte("POST / HTTP/1.1\r\nHost: rpchost\r\nX-Big: " + strings.Repeat("a", 1<<20)))
	}()
	reply := make([]byte, 64)
	n, _ := c.Read(reply)
	c.Close()
	if !strings.HasPrefix(string(reply[:n]), "HTTP/1.1 431") {
		t.Fatalf("a 1 MiB header line got %q; want 431", reply[:n])
	}

	// Connections each sending headers just under the limit, unfinished.
	const conns = 600
	// One long line, never ended: net/http assembles it in a growing
	// slice, the costliest way to hold headers.
	head := "POST / HTTP/1.1\r\nHost: rpchost\r\nX-Pad: " + strings.Repeat("a", defaultMaxHeaderBytes-100)
	var held []net.Conn
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
			if err != nil {
				return
			}
			_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write([]byte(head)); err != nil {
				c.Close()
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		})
	}
	wg.Wait()
	time.Sleep(time.Second) // the server reads what they sent
	rss, peak := procMemory(t, s)
	for _, c := range held {
		c.Close()
	}
	if len(held) < conns*9/10 {
		t.Fatalf("only %d of %d connections sent their headers", len(held), conns)
	}
	per := (peak - idle) / int64(len(held))
	t.Logf("%d connections each holding %d bytes of unfinished headers: peak resident %d MiB (idle %d MiB, now %d MiB), %d KiB per connection; the formula allows %d KiB (x2 for the collector)",
		len(held), len(head), peak>>20, idle>>20, rss>>20, per>>10, connectionBytes(defaultMaxHeaderBytes)>>10)
	if peak-idle > 2*int64(len(held))*connectionBytes(defaultMaxHeaderBytes) {
		t.Errorf("%d connections with unfinished headers took %d MiB over idle; README's formula allows %d MiB",
			len(held), (peak-idle)>>20, 2*int64(len(held))*connectionBytes(defaultMaxHeaderBytes)>>20)
	}
}
