package host

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/registry"
)

// Label values of the calls metrics that are not method names or codes.
const (
	// methodUnknown stands for every name no procedure answers, so that a
	// client calling random names adds one series, not one per name.
	methodUnknown = "unknown"
	// outcomeResult is a call that returned a result.
	outcomeResult = "result"
	// outcomeOtherFault stands for the fault codes of a procedure's own
	// beyond maxProcedureCodes per method.
	outcomeOtherFault = "other"
	// pluginHost labels the host's own procedures (system.*, plugins.*).
	pluginHost = "host"
)

// maxProcedureCodes bounds the distinct fault codes of a procedure's own
// (any int32 a guest returns) that get a series each, per method.
const maxProcedureCodes = 16

// metrics holds the Host's Prometheus registry and its instruments. The
// registry is the Host's own, never the package-global default, so that
// two Hosts in one process (tests, embedders) count apart.
type hostMetrics struct {
	reg *prometheus.Registry

	calls     *prometheus.CounterVec   // method, outcome
	latency   *prometheus.HistogramVec // plugin
	refused   *prometheus.CounterVec   // plugin
	loads     *prometheus.CounterVec   // result
	uploads   *prometheus.CounterVec   // outcome
	commits   *prometheus.CounterVec   // plugin
	conflicts *prometheus.CounterVec   // plugin
	requests  *prometheus.CounterVec   // front_end, code

	// byMethod holds the instruments of each method already called,
	// resolved once: copy on write, so the hot path reads it without a
	// lock and without allocating. It holds only methods the registry
	// serves (forget removes the others) and methodUnknown.
	byMethod atomic.Pointer[map[string]*methodMetrics]
	// byStatus does the same for the HTTP requests counter.
	byStatus atomic.Pointer[map[statusKey]prometheus.Counter]
	// detached stands for a method that stopped being served while its
	// call ran: what it counts is exported nowhere (see forMethod).
	detached  *methodMetrics
	writersMu sync.Mutex // serializes the copies of byMethod and byStatus
}

// methodMetrics are one method's instruments.
type methodMetrics struct {
	plugin  string
	result  prometheus.Counter
	latency prometheus.Observer // nil for methodUnknown
	refused prometheus.Counter  // nil for methodUnknown

	faultsMu sync.Mutex
	faults   map[int]prometheus.Counter
	ownCodes int // distinct procedure codes given a series
}

type statusKey struct {
	frontEnd string
	code     int
}

// latencyBuckets span a numeric add on a warm instance (a few µs) to the
// longest call_timeout people set (tens of seconds).
var latencyBuckets = []float64{.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

func newMetrics(h *Host) *hostMetrics {
	m := &hostMetrics{reg: prometheus.NewRegistry()}
	m.calls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rpchost_calls_total",
		Help: `Calls by method and outcome: "result", or the fault code. Names no procedure answers are method="unknown".`,
	}, []string{"method", "outcome"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rpchost_call_duration_seconds",
		Help:    `Time from Host.Call to its answer, waiting for an instance included, by plugin ("host" for system.* and plugins.*).`,
		Buckets: latencyBuckets,
	}, []string{"plugin"})
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rpchost_calls_refused_total",
		Help: "Calls refused with fault -32002 (busy): the plugin's queue was full, the call waited its whole time limit, or the server was full.",
	}, []string{"plugin"})
	m.loads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rpchost_plugin_loads_total",
		Help: `Plugin versions installed or refused: result="loaded" (a new name), "reloaded" (a new version), "rejected" (a file or upload not served).`,
	}, []string{"result"})
	m.uploads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rpchost_uploads_total",
		Help: `Upload attempts (PUT /plugins/<name>.wasm, plugins.upload, Host.Upload): outcome="accepted", "refused" (token, name, module), "failed".`,
	}, []string{"outcome"})
	m.commits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rpchost_store_commits_total",
		Help: "Calls whose writes were committed to the store, by plugin.",
	}, []string{"plugin"})
	m.conflicts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rpchost_store_conflicts_total",
		Help: "Commits refused because another call changed what the call read; the call runs again (up to its deadline).",
	}, []string{"plugin"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rpchost_http_requests_total",
		Help: "HTTP requests by front end (the route that answered) and status code.",
	}, []string{"front_end", "code"})
	m.reg.MustRegister(m.calls, m.latency, m.refused, m.loads, m.uploads, m.commits, m.conflicts, m.requests,
		&hostCollector{h: h},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.detached = &methodMetrics{result: prometheus.NewCounter(prometheus.CounterOpts{Name: "rpchost_detached"})}
	empty := map[string]*methodMetrics{}
	m.byMethod.Store(&empty)
	noStatus := map[statusKey]prometheus.Counter{}
	m.byStatus.Store(&noStatus)
	return m
}

// handler serves the registry in the Prometheus text (or protobuf) format.
// Scrapes run one or two at a time: each walks every series and asks the
// store for every plugin's usage, so a flood of them is refused (503)
// instead of queued.
func (m *hostMetrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		MaxRequestsInFlight: maxScrapes,
		Timeout:             scrapeTimeout,
	})
}

const (
	maxScrapes    = 2
	scrapeTimeout = 10 * time.Second
)

// forMethod returns the instruments of the method e answers (methodUnknown
// for nil), creating them on its first call.
func (m *hostMetrics) forMethod(e *registry.Entry, r *registry.Registry) *methodMetrics {
	name := methodUnknown
	if e != nil {
		name = e.Target
	}
	if mm := (*m.byMethod.Load())[name]; mm != nil {
		return mm
	}
	m.writersMu.Lock()
	defer m.writersMu.Unlock()
	cur := *m.byMethod.Load()
	if mm := cur[name]; mm != nil {
		return mm
	}
	if e != nil {
		if now, ok := r.Lookup(name); !ok || now.Plugin != e.Plugin {
			// The call ran on a plugin removed meanwhile: counting it
			// would bring back the series forget has just dropped
			// (forget runs under writersMu too, after the registry
			// changed). It goes uncounted.
			return m.detached
		}
	}
	mm := &methodMetrics{result: m.calls.WithLabelValues(name, outcomeResult), faults: map[int]prometheus.Counter{}}
	if e != nil {
		mm.plugin = e.Plugin
		if mm.plugin == "" {
			mm.plugin = pluginHost
		}
		mm.latency = m.latency.WithLabelValues(mm.plugin)
		mm.refused = m.refused.WithLabelValues(mm.plugin)
	}
	next := maps.Clone(cur)
	next[name] = mm
	m.byMethod.Store(&next)
	return mm
}

// fault counts a call of this method that ended with fault code.
func (m *hostMetrics) fault(name string, mm *methodMetrics, code int, own bool) {
	if mm == m.detached {
		return
	}
	mm.faultsMu.Lock()
	c := mm.faults[code]
	if c == nil {
		label := strconv.Itoa(code)
		if own {
			if mm.ownCodes >= maxProcedureCodes {
				label = outcomeOtherFault
			} else {
				mm.ownCodes++
			}
		}
		c = m.calls.WithLabelValues(name, label)
		if label != outcomeOtherFault {
			mm.faults[code] = c
		}
	}
	mm.faultsMu.Unlock()
	c.Inc()
}

// observe records one call: the one place where a call is counted, timed
// and (with log.access) logged, whatever front end it came through.
func (h *Host) observe(ctx context.Context, method string, e *registry.Entry, start time.Duration, err error) {
	took := h.clock() - start
	if e == nil && !errors.Is(err, ErrMethodNotFound) && !errors.Is(err, ErrInvalidMethodName) {
		e, _ = h.registry.Lookup(method) // refused before its lookup (closed host): count it as the method's
	}
	mm := h.metrics.forMethod(e, h.registry)
	if mm.latency != nil {
		mm.latency.Observe(took.Seconds())
	}
	code := 0
	if err == nil {
		mm.result.Inc()
	} else {
		f := toFault(err)
		code = f.Code
		var own *abi.Fault
		name := methodUnknown
		if e != nil {
			name = e.Target
		}
		h.metrics.fault(name, mm, code, errors.As(err, &own))
		if mm.refused != nil && errors.Is(err, ErrBusy) {
			mm.refused.Inc()
		}
	}
	if h.cfg.accessLog {
		h.logAccess(ctx, method, e, err, code, took)
	}
}

// clock is the time since New on the monotonic clock: one clock read,
// where time.Now reads the wall clock too, which observe does not need
// (measured: the clock reads are most of what counting a call costs).
func (h *Host) clock() time.Duration { return time.Since(h.started) }

// forget drops the series of methods the registry no longer serves, so
// that the calls metrics hold only what is served now: their number is
// bounded by the loaded plugins' methods, not by every name ever
// uploaded. Called after each change of what is served.
func (m *hostMetrics) forget(r *registry.Registry) {
	m.writersMu.Lock()
	defer m.writersMu.Unlock()
	cur := *m.byMethod.Load()
	var next map[string]*methodMetrics
	for name := range cur {
		if name == methodUnknown {
			continue
		}
		if _, ok := r.Lookup(name); ok {
			continue
		}
		if next == nil {
			next = maps.Clone(cur)
		}
		delete(next, name)
		m.calls.DeletePartialMatch(prometheus.Labels{"method": name})
	}
	if next != nil {
		m.byMethod.Store(&next)
	}
}

// forgetPlugin drops the per-plugin series of a plugin no longer served.
func (m *hostMetrics) forgetPlugin(name string) {
	labels := prometheus.Labels{"plugin": name}
	m.latency.DeletePartialMatch(labels)
	m.refused.DeletePartialMatch(labels)
	m.commits.DeletePartialMatch(labels)
	m.conflicts.DeletePartialMatch(labels)
}

// Label values of rpchost_plugin_loads_total and rpchost_uploads_total.
const (
	loadLoaded     = "loaded"
	loadReloaded   = "reloaded"
	loadRejected   = "rejected"
	uploadAccepted = "accepted"
	uploadRefused  = "refused"
	uploadFailed   = "failed"
)

// installed counts a plugin version installed, and forgets the methods
// the previous version served that the new one does not.
func (m *hostMetrics) installed(reload bool, r *registry.Registry) {
	if reload {
		m.loads.WithLabelValues(loadReloaded).Inc()
		m.forget(r)
		return
	}
	m.loads.WithLabelValues(loadLoaded).Inc()
}

// unloaded forgets a plugin no longer served, once the registry no longer
// has its methods.
func (m *hostMetrics) unloaded(plugin string, r *registry.Registry) {
	m.forget(r)
	m.forgetPlugin(plugin)
}

// uploaded counts an upload attempt that was not accepted: refused (the
// token, the name, the module) or failed (the disk, the host).
func (m *hostMetrics) uploaded(refused bool) {
	outcome := uploadFailed
	if refused {
		outcome = uploadRefused
	}
	m.uploads.WithLabelValues(outcome).Inc()
}

// countRequest counts an HTTP request answered by frontEnd with status.
func (m *hostMetrics) countRequest(frontEnd string, status int) {
	k := statusKey{frontEnd, status}
	if c := (*m.byStatus.Load())[k]; c != nil {
		c.Inc()
		return
	}
	m.writersMu.Lock()
	cur := *m.byStatus.Load()
	c := cur[k]
	if c == nil {
		c = m.requests.WithLabelValues(frontEnd, strconv.Itoa(status))
		next := maps.Clone(cur)
		next[k] = c
		m.byStatus.Store(&next)
	}
	m.writersMu.Unlock()
	c.Inc()
}
