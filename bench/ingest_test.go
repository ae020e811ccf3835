package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// recordsHost serves the shipped plugins/records.wasm in process, on a
// bbolt store of its own, and returns its HTTP handler.
func recordsHost(t *testing.T) http.Handler {
	t.Helper()
	return recordsHostOf(t, "../plugins/records.wasm")
}

// recordsHostOf serves the module at path (from bench/) as records.wasm.
func recordsHostOf(t *testing.T, path string) http.Handler {
	t.Helper()
	wasm, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "records.wasm"), wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h, err := host.New(ctx, host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0).
		WithStore(host.StoreConfig{Driver: "bbolt", Target: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(ctx) })
	return h.Handler()
}

func callHandler(t *testing.T, hd http.Handler, body []byte) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	hd.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/RPC2", bytes.NewReader(body)))
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// TestClassicBValidatesLikeThePlugin sends the tricky batch to the records
// plugin and to classic_b.py's validation: the same readings must be
// stored and rejected, for the same reasons. The harness checks the same
// against the running servers before it measures.
func TestClassicBValidatesLikeThePlugin(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required under CI=true: the Python B cannot be checked")
		}
		t.Skip("python3 is not installed: the Python B cannot be checked")
	}
	body := trickyIngest()
	cmd := exec.Command(python, "classic_b.py", "--check")
	cmd.Stdin = bytes.NewReader(body)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("classic_b.py --check: %v", err)
	}
	var py ingestOutcome
	if err := json.Unmarshal(out, &py); err != nil {
		t.Fatalf("classic_b.py --check printed %q: %v", out, err)
	}

	// Both builds of the plugin: the shipped Go one and the Rust one
	// (bench's "rpchost records (Rust)" row).
	for _, m := range []struct{ name, path string }{
		{"go", "../plugins/records.wasm"},
		{"rust", filepath.Join("..", "sdk", "rust", "examples", "records.wasm")},
	} {
		t.Run(m.name, func(t *testing.T) {
			plugin, err := parseIngestOutcome(callHandler(t, recordsHostOf(t, m.path), body))
			if err != nil {
				t.Fatal(err)
			}
			if d := plugin.diff(py); d != "" {
				t.Errorf("the plugin and the Python B disagree (plugin first): %s", d)
			}
			// The batch must test both sides of the checks.
			if plugin.Stored < 15 || len(plugin.Rejected) < 25 {
				t.Errorf("the plugin stored %d and rejected %d of the tricky batch: not tricky enough", plugin.Stored, len(plugin.Rejected))
			}
			t.Logf("both stored %d and rejected %d readings", plugin.Stored, len(plugin.Rejected))
		})
	}
}

// TestIngestBatches checks the measured requests: request n rewritten in
// place equals request n encoded afresh, the odd request replaces the even
// one's ids with other readings, and the plugin stores every reading.
func TestIngestBatches(t *testing.T) {
	tmpl := newIngestBatch(0)
	for _, n := range []uint64{0, 1, 2, 7, 12345678} {
		body := bytes.Clone(tmpl.body)
		tmpl.write(body, n)
		if !bytes.Equal(body, newIngestBatch(n).body) {
			t.Fatalf("request %d rewritten in place differs from request %d encoded afresh", n, n)
		}
	}
	readings := func(n uint64) []any {
		req, err := xmlrpc.ParseRequest(newIngestBatch(n).body, xmlrpc.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if req.Method != "records.ingest" || len(req.Params) != 1 {
			t.Fatalf("request %d: %s with %d params", n, req.Method, len(req.Params))
		}
		return req.Params[0].([]any)
	}
	even, odd, next := readings(4), readings(5), readings(6)
	if len(even) != ingestReadings {
		t.Fatalf("%d readings, want %d", len(even), ingestReadings)
	}
	tagged := 0
	for j := range even {
		e, o, x := even[j].(abi.Struct), odd[j].(abi.Struct), next[j].(abi.Struct)
		id := func(s abi.Struct) any { v, _ := s.Get("id"); return v }
		value := func(s abi.Struct) any { v, _ := s.Get("value"); return v }
		if id(e) != id(o) || id(e) == id(x) {
			t.Fatalf("reading %d: ids %v, %v, %v: want requests 4 and 5 the same, 6 new", j, id(e), id(o), id(x))
		}
		if j < 10 && value(e) == value(o) {
			t.Errorf("reading %d: the replacement has the same value %v", j, value(e))
		}
		if _, ok := e.Get("tags"); ok {
			tagged++
		}
	}
	if tagged != ingestReadings/2 {
		t.Errorf("%d readings tagged, want half", tagged)
	}

	hd := recordsHost(t)
	for n := range uint64(3) {
		if err := checkIngestResponse(callHandler(t, hd, newIngestBatch(n).body)); err != nil {
			t.Fatalf("request %d: %v", n, err)
		}
	}
}
