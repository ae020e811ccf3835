package host

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rpchost/rpchost/internal/pgerr"
)

// ErrDraining: the host was told to drain (Drain); it still serves calls,
// but /readyz says not to send it more.
var ErrDraining = errors.New("draining: the server is shutting down")

// readiness caches the store check of /readyz for a short while, so that
// probes (or anyone else) hitting /readyz in a loop put at most one query
// per storeCheckEvery on the store.
type readiness struct {
	mu      sync.Mutex
	checked time.Time
	err     error
}

const (
	storeCheckEvery   = time.Second
	storeCheckTimeout = 2 * time.Second
)

// Drain marks the host as shutting down: from now on /readyz answers 503,
// so that a load balancer stops sending requests, while calls are still
// served. rpchost's command calls it on SIGTERM, then keeps serving for
// http.drain_grace before it closes its listener.
func (h *Host) Drain() { h.draining.Store(true) }

// Ready reports why the host should not be sent calls, or nil: it is
// draining or closed, its deploy database has not answered since start, it
// serves no plugin (while there are some to serve), or its store does not
// answer.
// With deploy.dsn, serving no plugin is ready while the deploy log has
// none to serve either: a fresh fleet behind a load balancer must become
// ready for the first upload to reach it.
func (h *Host) Ready(ctx context.Context) error {
	switch {
	case h.closed.Load():
		return ErrClosed
	case h.draining.Load():
		return ErrDraining
	}
	if h.deploy.neverReached() {
		return errors.New("the deploy database (deploy.dsn) has not answered since start: this replica does not know which versions the fleet serves")
	}
	h.mu.Lock()
	n := len(h.plugins)
	h.mu.Unlock()
	if n == 0 && !h.deploy.nothingToServe() {
		return fmt.Errorf("no plugins loaded from %s", h.cfg.pluginDir)
	}
	if h.store == nil {
		return nil
	}
	h.ready.mu.Lock()
	defer h.ready.mu.Unlock()
	if time.Since(h.ready.checked) >= storeCheckEvery {
		ctx, cancel := context.WithTimeout(ctx, storeCheckTimeout)
		defer cancel()
		// The usage of the host's own namespace, which no plugin can
		// have: one read that proves the store answers.
		_, err := h.store.Usage(ctx, reservedNames[0])
		if err != nil {
			err = fmt.Errorf("store unreachable: %w", pgerr.Redact(err, "the store's database"))
		}
		h.ready.err, h.ready.checked = err, time.Now()
	}
	return h.ready.err
}

// serveHealth answers the probes: /healthz is 200 "ok" while the process
// answers HTTP at all; /readyz is 200 "ready" when Ready says so, 503 with
// the reason otherwise.
func (h *Host) serveHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, r.URL.Path+" takes GET requests", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Path == "/healthz" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
		return
	}
	if err := h.Ready(r.Context()); err != nil {
		http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ready\n"))
	if note := h.deployNote(); note != "" {
		// Still 200: this replica serves what it has; see RATIONALE.md.
		_, _ = w.Write([]byte(note + "\n"))
	}
}

// serveMetrics answers GET /metrics in Prometheus' formats.
func (h *Host) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "/metrics takes GET requests", http.StatusMethodNotAllowed)
		return
	}
	h.metricsHandler.ServeHTTP(w, r)
}

// MonitoringHandler serves /metrics, /healthz and /readyz alone, for a
// listener of their own (rpchost's metrics.listen), as Prometheus
// exporters usually are; every other path is 404.
func (h *Host) MonitoringHandler() http.Handler {
	return h.counted(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/metrics":
			frontEndIs(w, FrontEndMetrics)
			h.serveMetrics(w, r)
		case "/healthz", "/readyz":
			frontEndIs(w, FrontEndHealth)
			h.serveHealth(w, r)
		default:
			http.Error(w, "No such page: this address serves /metrics, /healthz and /readyz", http.StatusNotFound)
		}
	})
}
