package rpchost_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// probe GETs url on a new connection each time, as a load balancer's
// health check does; code is 0 when no connection could be made.
func probe(t *testing.T, u string) (code int, body string, err error) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// TestDrainOnSIGTERM: on SIGTERM /readyz turns 503 at once while the
// server keeps serving for http.drain_grace; then its listener closes (new
// connections are refused) and the call in flight still gets its answer.
func TestDrainOnSIGTERM(t *testing.T) {
	// hostile.spin runs until its time limit (4 s) stops it: a call still
	// running after the grace (2 s) has ended, whose answer is its timeout.
	s := startServer(t, hostileDir(t), "RPCHOST_LIMITS_CALL_TIMEOUT=4s", "RPCHOST_HTTP_DRAIN_GRACE=2s")
	if code, body, err := probe(t, s.URL+"readyz"); code != http.StatusOK {
		t.Fatalf("/readyz before the signal: %d %q %v", code, body, err)
	}
	c := dial(t, s.URL)
	answered := make(chan error, 1)
	go func() {
		var got any
		answered <- c.Call("hostile.spin", nil, &got)
	}()
	time.Sleep(500 * time.Millisecond) // the call is running
	signalled := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Within the grace: not ready, yet alive and serving new connections.
	deadline := time.Now().Add(time.Second)
	for {
		code, body, err := probe(t, s.URL+"readyz")
		if code == http.StatusServiceUnavailable && strings.Contains(body, "draining") {
			t.Logf("/readyz said %d %q %v after the signal", code, strings.TrimSpace(body), time.Since(signalled).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz a second after SIGTERM: %d %q %v; want 503 draining", code, body, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, _, err := probe(t, s.URL+"healthz"); code != http.StatusOK {
		t.Errorf("/healthz during the drain grace: %d %v; want 200 on a new connection", code, err)
	}
	var sum int
	if err := dial(t, s.URL).Call("add.add", []any{2, 3}, &sum); err != nil || sum != 5 {
		t.Errorf("a new call during the drain grace: %v, %v; want 5", sum, err)
	}
	// After the grace: the listener is closed.
	time.Sleep(time.Until(signalled.Add(2*time.Second + 700*time.Millisecond)))
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL, "http://"), "/")
	if conn, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
		conn.Close()
		t.Error("a new connection was accepted after the drain grace")
	} else {
		t.Logf("a new connection %v after the signal: %v", time.Since(signalled).Round(time.Millisecond), err)
	}
	select {
	case err := <-answered:
		if err == nil || !strings.Contains(err.Error(), "exceeded its time limit") {
			t.Fatalf("the call in flight got %v; want its answer, the timeout fault", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the call in flight got no answer")
	}
	exited := make(chan *os.ProcessState, 1)
	go func() { st, _ := s.cmd.Process.Wait(); exited <- st }()
	select {
	case st := <-exited:
		if st.ExitCode() != 0 {
			t.Fatalf("the server exited %d after a clean drain; want 0", st.ExitCode())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not exit after its last call")
	}
	time.Sleep(100 * time.Millisecond)
	if logs := s.Logs(); !strings.Contains(logs, "msg=\"draining: /readyz answers 503") {
		t.Errorf("the log does not say the server was draining:\n%s", logs)
	}
}

var metricsRE = regexp.MustCompile(`msg=metrics addr=(\S+)`)

// TestMetricsScrapedFromTheServer: the real server counts a call made
// over XML-RPC and its HTTP request; metrics.listen moves /metrics to an
// address of its own (loopback unless metrics.remote), with the probes.
func TestMetricsScrapedFromTheServer(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))

	s := startServer(t, dir, "RPCHOST_LOG_ACCESS=true")
	var sum int
	if err := dial(t, s.URL).Call("add.add", []any{2, 3}, &sum); err != nil || sum != 5 {
		t.Fatalf("add.add: %v, %v", sum, err)
	}
	code, body, err := probe(t, s.URL+"metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", code, err)
	}
	for _, want := range []string{
		`rpchost_calls_total{method="add.add",outcome="result"} 1`,
		`rpchost_http_requests_total{code="200",front_end="xmlrpc"} 1`,
		`rpchost_call_duration_seconds_count{plugin="add"} 1`,
		`rpchost_instances{plugin="add",state="idle"}`,
		`go_goroutines`, `process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if logs := s.Logs(); !regexp.MustCompile(`msg=call remote=127\.0\.0\.1:\d+ front_end=xmlrpc method=add\.add outcome=result duration=`).MatchString(logs) {
		t.Errorf("no access log line for the call:\n%s", logs)
	}

	s = startServer(t, dir, "RPCHOST_METRICS_LISTEN=127.0.0.1:0")
	m := metricsRE.FindStringSubmatch(s.Logs())
	if m == nil {
		t.Fatalf("no metrics line in the log:\n%s", s.Logs())
	}
	if code, _, _ := probe(t, s.URL+"metrics"); code != http.StatusNotFound {
		t.Errorf("GET /metrics on the main port with metrics.listen set: %d, want 404", code)
	}
	side := (&url.URL{Scheme: "http", Host: m[1]}).String()
	if code, body, err := probe(t, side+"/metrics"); code != http.StatusOK || !strings.Contains(body, "rpchost_plugins 1") {
		t.Errorf("GET /metrics on metrics.listen: %d %v %.200q", code, err, body)
	}
	for _, u := range []string{side + "/readyz", s.URL + "readyz"} {
		if code, body, err := probe(t, u); code != http.StatusOK {
			t.Errorf("GET %s: %d %q %v", u, code, body, err)
		}
	}

	r := runRPCHostFor(t, 30*time.Second, t.TempDir(), []string{"RPCHOST_METRICS_LISTEN=0.0.0.0:0", "RPCHOST_STORE_DIR=" + t.TempDir()},
		"serve", "--listen", "127.0.0.1:0", "--plugins", dir)
	if r.code == 0 || !strings.Contains(r.out, "not a loopback address") || !strings.Contains(r.out, "metrics.remote") {
		t.Fatalf("a non-loopback metrics address: exit %d, %q; want a refusal that names metrics.remote", r.code, r.out)
	}
}
