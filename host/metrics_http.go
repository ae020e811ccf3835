package host

import (
	"net/http"
	"sync"
)

// Front ends that answer HTTP requests but run no procedure, as the
// rpchost_http_requests_total metric names them.
const (
	FrontEndAdmin   = "admin"   // /plugins
	FrontEndMetrics = "metrics" // /metrics
	FrontEndHealth  = "health"  // /healthz, /readyz
	FrontEndNone    = "none"    // a path no front end serves (404)
)

// statusWriter remembers the status a front end answered with and which
// front end it was, for rpchost_http_requests_total. It is pooled: the
// hot path allocates nothing for it.
type statusWriter struct {
	http.ResponseWriter
	status   int
	frontEnd string
}

var statusWriters = sync.Pool{New: func() any { return new(statusWriter) }}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (full duplex,
// deadlines, flushing) through the wrapper.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// counted serves next, then counts the request under the front end route
// named (frontEndIs) and the status it answered with.
func (h *Host) counted(next func(http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := statusWriters.Get().(*statusWriter)
		*sw = statusWriter{ResponseWriter: w, frontEnd: FrontEndNone}
		defer func() {
			status := sw.status
			if status == 0 {
				status = http.StatusOK // what net/http sends for an empty answer
			}
			h.metrics.countRequest(sw.frontEnd, status)
			*sw = statusWriter{}
			statusWriters.Put(sw)
		}()
		next(sw, r)
	})
}

// frontEndIs names the front end answering the request w belongs to, for
// the HTTP metrics; route calls it once per case.
func frontEndIs(w http.ResponseWriter, name string) {
	if sw, ok := w.(*statusWriter); ok {
		sw.frontEnd = name
	}
}
