package host

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func getPath(t *testing.T, handler http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestHealthzAndReadyz(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"p1.wasm": fixture(t, "kv")}, withStore(t))
	if code, body := getPath(t, h.Handler(), "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := getPath(t, h.Handler(), "/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	rec := httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/readyz", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /readyz: %d, want 405", rec.Code)
	}

	h.Drain()
	code, body := getPath(t, h.Handler(), "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
		t.Errorf("/readyz while draining: %d %q, want 503 saying draining", code, body)
	}
	if code, _ := getPath(t, h.Handler(), "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while draining: %d, want 200 (the process is alive)", code)
	}
	if got := callInt(t, h, "p1.get_a"); got != -1 {
		t.Errorf("a call while draining = %d, want it served (-1)", got)
	}
}

func TestReadyzNeedsAPlugin(t *testing.T) {
	h, _ := newTestHost(t, nil)
	code, body := getPath(t, h.Handler(), "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "no plugins loaded") {
		t.Errorf("/readyz with no plugin: %d %q, want 503 saying why", code, body)
	}
}

func TestReadyzSaysWhenTheStoreIsGone(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"p1.wasm": fixture(t, "kv")}, withStore(t))
	// The store closing under the host stands for a database that went away.
	_ = h.store.Close()
	code, body := getPath(t, h.Handler(), "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store unreachable") {
		t.Errorf("/readyz with a closed store: %d %q, want 503 saying the store is unreachable", code, body)
	}
}
