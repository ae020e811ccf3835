package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rpchost/rpchost/host"
)

// minShutdownGrace is the least time requests in flight get to finish
// after a signal.
const minShutdownGrace = 10 * time.Second

// shutdownGrace is how long calls in flight may finish after a signal:
// long enough that a call within its limit is never cut (the longest
// call_timeout of any plugin, plus a second to write its answer), and at
// least minShutdownGrace. A plugin with no limit (call_timeout 0) does not
// lengthen it: such calls are cut at the grace's end.
func shutdownGrace(cfg host.Config, plugins []host.PluginInfo) time.Duration {
	longest := cfg.Limits().CallTimeout
	for _, p := range plugins {
		longest = max(longest, cfg.PluginLimits(p.Name).CallTimeout)
	}
	return max(minShutdownGrace, longest+time.Second)
}

// requestTracker knows the requests being served, so that a shutdown can
// say how many it waits for and which ones it cut.
type requestTracker struct {
	mu   sync.Mutex
	next uint64
	live map[uint64]trackedRequest
}

type trackedRequest struct {
	remote, path string
	start        time.Time
}

func newRequestTracker() *requestTracker {
	return &requestTracker{live: make(map[uint64]trackedRequest)}
}

func (t *requestTracker) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.mu.Lock()
		t.next++
		id := t.next
		t.live[id] = trackedRequest{remote: r.RemoteAddr, path: r.URL.Path, start: time.Now()}
		t.mu.Unlock()
		defer func() {
			t.mu.Lock()
			delete(t.live, id)
			t.mu.Unlock()
		}()
		next.ServeHTTP(w, r)
	})
}

func (t *requestTracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.live)
}

// describe lists the requests in flight, oldest first: "POST /RPC2 from
// 10.0.0.7:51234 for 12.3s".
func (t *requestTracker) describe() []string {
	t.mu.Lock()
	reqs := make([]trackedRequest, 0, len(t.live))
	for _, r := range t.live {
		reqs = append(reqs, r)
	}
	t.mu.Unlock()
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].start.Before(reqs[j].start) })
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = fmt.Sprintf("%s from %s for %v", r.path, r.remote, time.Since(r.start).Round(100*time.Millisecond))
	}
	return out
}

// drain waits grace after the first signal while the server still serves
// and /readyz answers 503 (host.Drain), so that a load balancer checking
// it stops sending before the listener closes. A second signal on again
// ends the wait and is left in again, so that shutdown acts on it too:
// it exits at once, as a second signal always did.
func drain(grace time.Duration, again chan os.Signal, reqs *requestTracker, logger *slog.Logger) {
	if grace <= 0 {
		return
	}
	logger.Info("draining: /readyz answers 503; still serving until the grace ends (interrupt again to exit at once)",
		"drain_grace", grace, "in_flight", reqs.count())
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-t.C:
	case sig := <-again:
		again <- sig // for shutdown
	}
}

// signals is what a second SIGTERM or Ctrl-C arrives on during the drain
// and the shutdown; stop ends the notification.
func signals() (again chan os.Signal, stop func()) {
	again = make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	return again, func() { signal.Stop(again) }
}

// shutdown stops srv after the first signal: no new connections, the
// requests in flight finish within grace. A second signal, or the end of
// the grace, cuts those still running: it says which, and returns an
// error (a non-zero exit).
func shutdown(srv *http.Server, reqs *requestTracker, grace time.Duration, again <-chan os.Signal, logger *slog.Logger) error {
	logger.Info("shutting down: no new connections; waiting for the requests in flight (interrupt again to exit at once)",
		"in_flight", reqs.count(), "grace", grace)
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	var why string
	interrupted := false
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		why = fmt.Sprintf("the shutdown grace of %v ran out", grace)
		done <- nil // Shutdown has returned: nothing more to wait for below
	case sig := <-again:
		why = fmt.Sprintf("a second %v", sig)
		interrupted = true
	}
	cut := reqs.describe()
	if len(cut) > 0 {
		logger.Error("requests cut without an answer", "reason", why, "count", len(cut), "requests", strings.Join(cut, "; "))
	}
	_ = srv.Close() // closes every connection; Shutdown returns
	cancel()
	<-done
	var err error
	if len(cut) == 0 {
		err = fmt.Errorf("%s: stopped at once", why)
	} else {
		err = fmt.Errorf("%s: stopped with %d request(s) still running, whose clients got no answer (%s)", why, len(cut), strings.Join(cut, "; "))
	}
	if interrupted {
		err = fmt.Errorf("%w: %w", errInterrupted, err)
	}
	return err
}

// errInterrupted is wrapped by shutdown's error when a second signal cut
// it: the process then exits without waiting for the host to close
// (README: a second signal exits at once). Nothing durable is lost: every
// acknowledged write was committed when its call returned.
var errInterrupted = errors.New("interrupted")
