package rpchost_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"
)

// TestConnectionsAreBounded: past http.max_connections a new connection is
// not served until one closes, so idle connections cannot pile up memory.
func TestConnectionsAreBounded(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))
	s := startServer(t, dir, "RPCHOST_HTTP_MAX_CONNECTIONS=4")
	u, _ := url.Parse(s.URL)
	var held []net.Conn
	for range 4 {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	time.Sleep(100 * time.Millisecond) // the server accepts all four

	answered := addInBackground(t, s.URL)
	select {
	case took := <-answered:
		t.Fatalf("a fifth connection was served after %v while 4 of http.max_connections=4 were open", took)
	case <-time.After(500 * time.Millisecond):
	}
	held[0].Close()
	select {
	case took := <-answered:
		t.Logf("the fifth connection waited, and was served %v after it was opened, once one of the four closed", took.Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("the fifth connection was not served after one of the four closed")
	}
	for _, c := range held[1:] {
		c.Close()
	}
}

// TestIdleKeepAlivesDoNotLockOut: when http.max_connections are open and
// idle between requests, a new client is served at once, in the slot of
// the connection idle longest, instead of waiting http.idle_timeout.
func TestIdleKeepAlivesDoNotLockOut(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))
	s := startServer(t, dir, "RPCHOST_HTTP_MAX_CONNECTIONS=4")
	u, _ := url.Parse(s.URL)
	call := "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params><param><value><int>3</int></value></param><param><value><int>4</int></value></param></params></methodCall>"
	var held []net.Conn
	for range 4 {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		// One call, answered, and the connection kept open: idle.
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte(fmt.Sprintf("POST / HTTP/1.1\r\nHost: rpchost\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", len(call), call))); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the keep-alive call got %s", resp.Status)
		}
	}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()

	answered := addInBackground(t, s.URL)
	select {
	case took := <-answered:
		t.Logf("with http.max_connections=4 held by idle keep-alive connections, another client's add(3, 4) was answered in %v", took.Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("4 idle keep-alive connections locked another client out for 5 s (http.max_connections=4)")
	}
}

// addInBackground calls add(3, 4) from a new client and reports, once it is
// answered, how long after the call this function was called that was.
func addInBackground(t *testing.T, url string) <-chan time.Duration {
	answered := make(chan time.Duration, 1)
	start := time.Now()
	go func() {
		c := dial(t, url)
		var got any
		if err := c.Call("add", []any{3, 4}, &got); err != nil || got != int64(7) {
			t.Errorf("add(3, 4) = %v, %v", got, err)
		}
		answered <- time.Since(start)
	}()
	return answered
}
