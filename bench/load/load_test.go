package load

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const answer7 = `<?xml version="1.0"?><methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>`

func quick(addr string) Config {
	return Config{
		Addr:        addr,
		Body:        PythonCall("add", int64(3), int64(4)),
		Want:        7,
		Connections: 2,
		Warmup:      20 * time.Millisecond,
		Duration:    150 * time.Millisecond,
		Timeout:     5 * time.Second,
	}
}

func TestRunKeepAlive(t *testing.T) {
	var mu sync.Mutex
	conns := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), "<methodName>add</methodName>") || r.URL.Path != "/RPC2" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		conns[r.RemoteAddr] = true
		mu.Unlock()
		io.WriteString(w, answer7)
	}))
	defer srv.Close()
	cfg := quick(srv.Listener.Addr().String())
	var windows []bool
	cfg.OnWindow = func(open bool) { windows = append(windows, open) }
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.ErrorCount() != 0 {
		t.Fatalf("%d requests, errors %v (%s)", res.Requests, res.Errors, res.FirstError)
	}
	if res.Latency.Count() != res.Requests || res.RequestsPerSecond() <= 0 {
		t.Errorf("%d latencies for %d requests, %v req/s", res.Latency.Count(), res.Requests, res.RequestsPerSecond())
	}
	if res.Dials != 0 {
		t.Errorf("%d dials inside the window; keep-alive connections are opened during the warm-up", res.Dials)
	}
	if len(conns) != 2 {
		t.Errorf("the server saw %d connections, want 2", len(conns))
	}
	if fmt.Sprint(windows) != "[true false]" {
		t.Errorf("OnWindow calls: %v", windows)
	}
}

// http10Server answers like Python's SimpleXMLRPCServer: HTTP/1.0, then it
// closes the connection. Without a Content-Length when noLength is set.
func http10Server(t *testing.T, reply string, noLength bool) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				hdr := "HTTP/1.0 200 OK\r\nContent-type: text/xml\r\n"
				if !noLength {
					hdr += "Content-length: " + strconv.Itoa(len(reply)) + "\r\n"
				}
				io.WriteString(c, hdr+"\r\n"+reply)
			}()
		}
	}()
	return ln.Addr().String()
}

func TestRunReconnectsToHTTP10(t *testing.T) {
	for _, noLength := range []bool{false, true} {
		res, err := Run(context.Background(), quick(http10Server(t, answer7, noLength)))
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests == 0 || res.ErrorCount() != 0 {
			t.Fatalf("no length %v: %d requests, errors %v (%s)", noLength, res.Requests, res.Errors, res.FirstError)
		}
		if res.Dials != res.Requests {
			t.Errorf("no length %v: %d dials for %d requests; want one each", noLength, res.Dials, res.Requests)
		}
	}
}

func TestRunCountsWrongAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Replace(answer7, ">7<", ">8<", 1))
	}))
	defer srv.Close()
	res, err := Run(context.Background(), quick(srv.Listener.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 0 || res.Errors["answer"] == 0 || !strings.Contains(res.FirstError, "8, want 7") {
		t.Errorf("%d requests, errors %v, first %q", res.Requests, res.Errors, res.FirstError)
	}
}

func TestRunCountsBadStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	res, err := Run(context.Background(), quick(srv.Listener.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 0 || res.Errors["status"] == 0 {
		t.Errorf("%d requests, errors %v", res.Requests, res.Errors)
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // a server that never answers
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := quick(srv.Listener.Addr().String())
	cfg.Duration = time.Hour
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() { _, err := Run(ctx, cfg); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Run returned no error after being cancelled")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after being cancelled")
	}
}
