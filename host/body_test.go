package host

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// budgetServer serves calc over HTTP and returns the host, to look at its
// in-flight budget.
func budgetServer(t *testing.T, adjust ...func(Config) Config) (*Host, *httptest.Server) {
	t.Helper()
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")}, adjust...)
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	return h, srv
}

// rawPost opens a connection and sends the head of a POST announcing
// length bytes (chunked when length < 0).
func rawPost(t *testing.T, srv *httptest.Server, length int64) net.Conn {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	head := "POST / HTTP/1.1\r\nHost: rpchost\r\nContent-Type: text/xml\r\n"
	if length >= 0 {
		head += fmt.Sprintf("Content-Length: %d\r\n\r\n", length)
	} else {
		head += "Transfer-Encoding: chunked\r\n\r\n"
	}
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after 10 s for %s", what)
		}
	}
}

// timeAdd posts add(3, 4) and returns how long the answer took.
func timeAdd(t *testing.T, srv *httptest.Server) time.Duration {
	t.Helper()
	start := time.Now()
	v, f := result(t, post(t, srv, "/", []byte(addCall)))
	if f != nil || v != int64(7) {
		t.Errorf("add(3, 4) = %v, %v", v, f)
	}
	return time.Since(start)
}

func TestHTTPBodyMemoryFollowsTheBytesThatArrive(t *testing.T) {
	h, srv := budgetServer(t)
	runtime.GC()
	before := heapInUse()
	// 100 connections announce 16 MiB each (1.6 GB) and send one byte.
	conns := make([]net.Conn, 100)
	for i := range conns {
		conns[i] = rawPost(t, srv, 16<<20)
		if _, err := conns[i].Write([]byte("<")); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond) // let every handler read its byte
	runtime.GC()
	grown := int64(heapInUse()) - int64(before)
	t.Logf("100 bodies announcing 16 MiB, one byte sent: heap +%d KiB, in-flight budget %d bytes held; add(3, 4) answered in %v",
		grown>>10, h.inflight.used.Load(), timeAdd(t, srv).Round(time.Microsecond))
	if grown > 8<<20 {
		t.Errorf("the heap grew by %d MiB for 100 bytes received; want under 8 MiB", grown>>20)
	}
	if used := h.inflight.used.Load(); used != 0 {
		t.Errorf("%d bytes of the budget held for bodies under %d bytes", used, bodyFloor)
	}
	// Then each sends 100 KiB more: what is held is at most twice what was sent.
	chunk := make([]byte, 100<<10)
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = c.Write(chunk) }()
	}
	wg.Wait()
	sent := int64(len(conns)) * int64(len(chunk)+1)
	waitFor(t, "the handlers to read 100 KiB each", func() bool { return h.inflight.used.Load() >= int64(len(conns))*int64(len(chunk)) })
	held := h.inflight.used.Load()
	t.Logf("after 100 KiB more each (%d KiB sent in all): %d KiB of the budget held", sent>>10, held>>10)
	if held > 2*sent {
		t.Errorf("%d bytes held for %d bytes sent; want at most twice", held, sent)
	}
	for _, c := range conns {
		c.Close()
	}
	waitFor(t, "the budget to be given back", func() bool { return h.inflight.used.Load() == 0 })
}

func TestHTTPBodiesInFlightShareTheBudget(t *testing.T) {
	const body, budget = 1 << 20, 2 << 20
	h, srv := budgetServer(t, func(c Config) Config { return c.WithMaxBodyBytes(body).WithMaxInflightBytes(budget) })
	// Eight clients each send all but the last byte of a 1 MiB body: the
	// budget holds two such bodies, so some must be refused.
	type outcome struct {
		status     string
		retryAfter string
	}
	outcomes := make(chan outcome, 8)
	payload := make([]byte, body-1)
	for range 8 {
		c := rawPost(t, srv, body)
		go func() {
			_ = c.SetDeadline(time.Now().Add(3 * time.Second)) // past the 1 s wait for room
			_, _ = c.Write(payload)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				outcomes <- outcome{status: "held"} // still waiting for its last byte
				return
			}
			resp.Body.Close()
			outcomes <- outcome{resp.Status, resp.Header.Get("Retry-After")}
		}()
	}
	var slowest time.Duration
	for range 10 { // a small call goes through while they fight over the budget
		slowest = max(slowest, timeAdd(t, srv))
		time.Sleep(50 * time.Millisecond)
	}
	held, refused := 0, 0
	for range 8 {
		switch o := <-outcomes; {
		case o.status == "held":
			held++
		case strings.HasPrefix(o.status, "503") && o.retryAfter == "1":
			refused++
		default:
			t.Errorf("a client got %q (Retry-After %q); want 503 with Retry-After: 1, or to be still reading", o.status, o.retryAfter)
		}
	}
	peak := h.inflight.peak.Load()
	t.Logf("8 bodies of 1 MiB, a budget of 2 MiB: %d read, %d refused with 503; budget peak %d KiB; add(3, 4) meanwhile: slowest %v",
		held, refused, peak>>10, slowest.Round(time.Microsecond))
	if peak > budget {
		t.Errorf("the bodies held %d bytes at once; the budget is %d", peak, budget)
	}
	if held == 0 || refused == 0 {
		t.Errorf("%d bodies read and %d refused; want some of each", held, refused)
	}
}

// A client that sends its whole body before reading the answer, as
// Python's http.client does, must receive the refusal of an oversized
// body instead of a connection reset.
func TestHTTPOversizedBodyAnswerReachesAClientThatSendsFirst(t *testing.T) {
	_, srv := budgetServer(t, func(c Config) Config { return c.WithMaxBodyBytes(1 << 10) })
	for _, tc := range []struct {
		name   string
		length int64
	}{{"Content-Length", 32 << 20}, {"chunked", -1}} {
		c := rawPost(t, srv, tc.length)
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		start := time.Now()
		w := bufio.NewWriterSize(c, 64<<10)
		chunk := strings.Repeat("x", 64<<10)
		var err error
		for sent := 0; sent < 32<<20 && err == nil; sent += len(chunk) {
			if tc.length < 0 {
				_, err = fmt.Fprintf(w, "%x\r\n%s\r\n", len(chunk), chunk)
			} else {
				_, err = w.WriteString(chunk)
			}
		}
		if err == nil && tc.length < 0 {
			_, err = w.WriteString("0\r\n\r\n")
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			t.Errorf("%s: sending 32 MiB failed: %v (the server closed before the client could read its answer)", tc.name, err)
			continue
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Errorf("%s: no answer after sending: %v", tc.name, err)
			continue
		}
		_, f := result(t, resp)
		if f == nil || f.Code != abi.CodeInvalidRequest || !strings.Contains(f.Message, "limits.max_body_bytes") {
			t.Errorf("%s: fault %+v, want -32600 naming limits.max_body_bytes", tc.name, f)
		}
		if !resp.Close {
			t.Errorf("%s: the answer does not say Connection: close", tc.name)
		}
		t.Logf("%s: 32 MiB sent, then the -32600 answer read, in %v", tc.name, time.Since(start).Round(time.Millisecond))
	}
}

// Go's client sends and reads at once; it gets the answer too.
func TestHTTPOversizedBodyAnswerReachesGoClient(t *testing.T) {
	_, srv := budgetServer(t, func(c Config) Config { return c.WithMaxBodyBytes(1 << 10) })
	req, err := http.NewRequest(http.MethodPost, srv.URL, io.LimitReader(zeros{}, 64<<20))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 64 << 20
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("Go's client got no answer to a 64 MiB body: %v", err)
	}
	defer resp.Body.Close()
	_, f := result(t, resp)
	if f == nil || f.Code != abi.CodeInvalidRequest {
		t.Errorf("fault %+v, want -32600", f)
	}
	t.Logf("Go's client: a 64 MiB body over a 1 KiB limit answered -32600 in %v", time.Since(start).Round(time.Millisecond))
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestHTTPGzipBodiesCountTheirDecodedSize(t *testing.T) {
	h, srv := budgetServer(t, func(c Config) Config { return c.WithMaxBodyBytes(1 << 20) })
	// 512 KiB of padding inside a valid call compresses to a few KiB.
	call := []byte(`<?xml version="1.0"?><methodCall><methodName>calc.add</methodName><params>` +
		`<param><value><int>3</int></value></param><param><value><i8>4</i8></value></param></params></methodCall>` +
		strings.Repeat(" ", 512<<10))
	z := gzipped(call)
	v, f := result(t, post(t, srv, "/", z, "Content-Encoding", "gzip"))
	if f != nil || v != int64(7) {
		t.Fatalf("gzipped add(3, 4) = %v, %v", v, f)
	}
	peak := h.inflight.peak.Load()
	t.Logf("a %d-byte gzip body decoding to %d KiB: budget peak %d KiB", len(z), len(call)>>10, peak>>10)
	if peak < int64(len(call)) {
		t.Errorf("the budget peaked at %d bytes for a body decoding to %d", peak, len(call))
	}
}

func TestInflightBudgetValidation(t *testing.T) {
	_, err := New(t.Context(), NewConfig().WithPluginDir(t.TempDir()).WithMaxBodyBytes(16<<20).WithMaxInflightBytes(16<<20))
	if err == nil || !strings.Contains(err.Error(), "limits.max_inflight_bytes") {
		t.Errorf("an in-flight budget below twice the body limit: %v, want an error naming limits.max_inflight_bytes", err)
	}
}

func TestBodyBudgetWakesAWaiterOnRelease(t *testing.T) {
	b := newBodyBudget(100)
	if !b.tryAcquire(100) || b.tryAcquire(1) {
		t.Fatal("a budget of 100 must take 100 bytes and then refuse one more")
	}
	go func() { time.Sleep(50 * time.Millisecond); b.release(60) }()
	start := time.Now()
	if err := b.acquire(t.Context(), 50, 5*time.Second); err != nil {
		t.Fatalf("waiting for 50 bytes while 60 are released: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the waiter took %v to see a release after 50 ms", took)
	}
	if err := b.acquire(t.Context(), 20, 10*time.Millisecond); !errors.Is(err, errInflightFull) {
		t.Errorf("20 bytes with 10 free: %v, want errInflightFull after the wait", err)
	}
	if err := b.acquire(t.Context(), 101, time.Second); !errors.Is(err, errInflightFull) {
		t.Errorf("more than the whole budget: %v, want errInflightFull at once", err)
	}
	if b.used.Load() != 90 || b.peak.Load() != 100 {
		t.Errorf("used %d, peak %d; want 90 and 100", b.used.Load(), b.peak.Load())
	}
}

// TestForcedResponsesHoldOffNewRequests: a response is charged even past
// the budget (it must be sent); while responses hold more than the whole
// budget no request is admitted, and a release lets the waiters in.
func TestForcedResponsesHoldOffNewRequests(t *testing.T) {
	b := newBodyBudget(100)
	b.force(80)
	if err := b.admit(t.Context(), 10*time.Millisecond); err != nil {
		t.Fatalf("admit with 80 of 100 held: %v", err)
	}
	b.force(80)
	if b.used.Load() != 160 || b.peak.Load() != 160 {
		t.Fatalf("used %d, peak %d after forcing 80 twice; want 160 and 160", b.used.Load(), b.peak.Load())
	}
	if err := b.admit(t.Context(), 10*time.Millisecond); !errors.Is(err, errInflightFull) {
		t.Fatalf("admit with 160 of 100 held by responses: %v, want errInflightFull after the wait", err)
	}
	if b.tryAcquire(1) {
		t.Fatal("a body took a byte of a budget over its max")
	}
	go func() { time.Sleep(50 * time.Millisecond); b.release(80) }()
	if err := b.admit(t.Context(), 5*time.Second); err != nil {
		t.Fatalf("admit after a response of 80 was written: %v", err)
	}
	b.release(80)
	if b.used.Load() != 0 {
		t.Errorf("used %d after every release; want 0", b.used.Load())
	}
}

// A call that waited for an instance was admitted before the budget filled;
// it must not run while responses hold more than the budget, so that the
// responses held past it are only those of calls already running.
func TestNoCallStartsWhileResponsesFillTheBudget(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	ctx := t.Context()
	h.inflight.force(h.inflight.max + 1)
	_, err := h.Call(ctx, "calc.add", []any{int64(3), int64(4)})
	if !errors.Is(err, ErrBusy) || !errors.Is(err, errInflightFull) && !strings.Contains(err.Error(), "max_inflight_bytes") {
		t.Fatalf("a call with the budget over its max: %v, want ErrBusy naming limits.max_inflight_bytes", err)
	}
	if f := FaultOf(err); f.Code != CodeBusy {
		t.Errorf("fault %d, want %d (busy)", f.Code, CodeBusy)
	}
	h.inflight.release(h.inflight.max + 1)
	if got, err := h.Call(ctx, "calc.add", []any{int64(3), int64(4)}); err != nil || got != int64(7) {
		t.Fatalf("after the responses were written: %v, %v", got, err)
	}
}
