package rpchost_test

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var profilingRE = regexp.MustCompile(`msg=profiling addr=(\S+)`)

// TestProfilingEndpointIsOptInAndLoopback: debug.pprof_listen serves Go's
// profiles on an address of its own; nothing is served without it, and an
// address other than loopback is refused unless debug.pprof_remote is set.
func TestProfilingEndpointIsOptInAndLoopback(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))

	s := startServer(t, dir)
	if strings.Contains(s.Logs(), "msg=profiling") {
		t.Fatalf("profiles served without debug.pprof_listen:\n%s", s.Logs())
	}
	if resp, err := http.Get(s.URL + "debug/pprof/"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("the procedures' port serves /debug/pprof/")
		}
	}

	s = startServer(t, dir, "RPCHOST_DEBUG_PPROF_LISTEN=127.0.0.1:0")
	m := profilingRE.FindStringSubmatch(s.Logs())
	if m == nil {
		t.Fatalf("no profiling line in the log:\n%s", s.Logs())
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + m[1] + "/debug/pprof/heap?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "heap profile") {
		t.Fatalf("GET /debug/pprof/heap: %d %.200s", resp.StatusCode, body)
	}
	t.Logf("profiles served on %s, apart from the procedures' %s", m[1], s.URL)

	r := runRPCHostFor(t, 30*time.Second, t.TempDir(), []string{"RPCHOST_DEBUG_PPROF_LISTEN=0.0.0.0:0", "RPCHOST_STORE_DIR=" + t.TempDir()},
		"serve", "--listen", "127.0.0.1:0", "--plugins", dir)
	if r.code == 0 || !strings.Contains(r.out, "not a loopback address") || !strings.Contains(r.out, "debug.pprof_remote") {
		t.Fatalf("a non-loopback pprof address: exit %d, %q; want a refusal that names debug.pprof_remote", r.code, r.out)
	}
}
