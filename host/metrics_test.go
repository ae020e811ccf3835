package host

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics through handler and parses it as Prometheus would.
func scrape(t *testing.T, handler http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// sample is the value of the series of family whose labels include want
// (name=value pairs); ok is false when there is none.
func metricSample(fams map[string]*dto.MetricFamily, family string, want ...string) (v float64, ok bool) {
	f := fams[family]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(want); i += 2 {
			if labels[want[i]] != want[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// labelValues lists the values label takes in family.
func labelValues(fams map[string]*dto.MetricFamily, family, label string) map[string]bool {
	out := map[string]bool{}
	if f := fams[family]; f != nil {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label {
					out[l.GetValue()] = true
				}
			}
		}
	}
	return out
}

func TestMetricsCountCallsByMethodAndOutcome(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	ctx := context.Background()
	for range 3 {
		if _, err := h.Call(ctx, "calc.add", []any{int64(1), int64(2)}); err != nil {
			t.Fatal(err)
		}
	}
	// A bare name counts as the method that answers it.
	if _, err := h.Call(ctx, "add", []any{int64(1), int64(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Call(ctx, "calc.crash", nil); faultCode(t, err) != CodeTrap {
		t.Fatalf("calc.crash: %v", err)
	}
	if _, err := h.Call(ctx, "nosuch.method", nil); err == nil {
		t.Fatal("nosuch.method answered")
	}
	// Through HTTP too: the XML-RPC front end reaches the same counters.
	rec := httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/RPC2", strings.NewReader(
		`<?xml version="1.0"?><methodCall><methodName>calc.add</methodName><params><param><value><int>1</int></value></param><param><value><int>1</int></value></param></params></methodCall>`)))
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /RPC2: %d", rec.Code)
	}
	h.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/nowhere", nil))

	fams := scrape(t, h.Handler())
	for _, c := range []struct {
		family string
		labels []string
		want   float64
	}{
		{"rpchost_calls_total", []string{"method", "calc.add", "outcome", "result"}, 5},
		{"rpchost_calls_total", []string{"method", "calc.crash", "outcome", fmt.Sprint(CodeTrap)}, 1},
		{"rpchost_calls_total", []string{"method", "unknown", "outcome", "-32601"}, 1},
		{"rpchost_call_duration_seconds", []string{"plugin", "calc"}, 6},
		{"rpchost_instances", []string{"plugin", "calc", "state", "busy"}, 0},
		{"rpchost_calls_waiting", []string{"plugin", "calc"}, 0},
		{"rpchost_plugins", nil, 1},
		{"rpchost_plugin_loads_total", []string{"result", "loaded"}, 1},
		{"rpchost_http_requests_total", []string{"front_end", "xmlrpc", "code", "200"}, 1},
		{"rpchost_http_requests_total", []string{"front_end", "none", "code", "404"}, 1},
	} {
		got, ok := metricSample(fams, c.family, c.labels...)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.family, c.labels, got, ok, c.want)
		}
	}
	if idle, _ := metricSample(fams, "rpchost_instances", "plugin", "calc", "state", "idle"); idle < 1 {
		t.Errorf("rpchost_instances{state=idle} = %v after calls, want at least 1", idle)
	}
	for _, f := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if fams[f] == nil {
			t.Errorf("%s missing: the Go and process collectors are not registered", f)
		}
	}
}

// A client calling names at random must not grow the metrics: every name
// no procedure answers is one label value.
func TestMetricsUnknownMethodsAreOneLabelValue(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	ctx := context.Background()
	const n = 1000
	for i := range n {
		name := fmt.Sprintf("x%d.m%d", rand.Uint64(), i)
		if i%2 == 1 {
			name = "bad name " + name // invalid: counted alike
		}
		if _, err := h.Call(ctx, name, nil); err == nil {
			t.Fatalf("%s answered", name)
		}
	}
	fams := scrape(t, h.Handler())
	methods := labelValues(fams, "rpchost_calls_total", "method")
	if len(methods) != 1 || !methods["unknown"] {
		t.Fatalf("method label values after %d unknown names: %v, want only \"unknown\"", n, methods)
	}
	if got, _ := metricSample(fams, "rpchost_calls_total", "method", "unknown", "outcome", "-32601"); got != n {
		t.Errorf("unknown calls counted %v, want %d", got, n)
	}
	t.Logf("%d series in rpchost_calls_total after %d random names", len(fams["rpchost_calls_total"].GetMetric()), n)
}

// A plugin removed takes its series with it: the calls metrics hold what
// is served, not every name ever uploaded.
func TestMetricsForgetARemovedPlugin(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc"), "count.wasm": fixture(t, "count")},
		withTestAdmin, func(c Config) Config { return c.WithWatch(false, 0, 0) })
	ctx := context.Background()
	if _, err := h.Call(ctx, "calc.add", []any{int64(1), int64(2)}); err != nil {
		t.Fatal(err)
	}
	if err := h.Remove(ctx, "calc"); err != nil {
		t.Fatal(err)
	}
	fams := scrape(t, h.Handler())
	if _, ok := metricSample(fams, "rpchost_calls_total", "method", "calc.add"); ok {
		t.Error("calc.add still has a series after calc was removed")
	}
	if _, ok := metricSample(fams, "rpchost_call_duration_seconds", "plugin", "calc"); ok {
		t.Error("calc's latency histogram survives its removal")
	}
	if _, err := h.Call(ctx, "calc.add", nil); err == nil {
		t.Fatal("calc.add answered after its removal")
	}
	fams = scrape(t, h.Handler())
	if got, _ := metricSample(fams, "rpchost_calls_total", "method", "unknown"); got != 1 {
		t.Errorf("a call to the removed calc.add counted as unknown %v times, want 1", got)
	}
}

// A procedure may return any fault code: past maxProcedureCodes distinct
// ones per method, the rest share "other".
func TestMetricsBoundAProcedureFaultCodes(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	e, ok := h.registry.Lookup("calc.add")
	if !ok {
		t.Fatal("calc.add not served")
	}
	mm := h.metrics.forMethod(e, h.registry)
	for code := range 100 {
		h.metrics.fault(e.Target, mm, code+1, true)
	}
	fams := scrape(t, h.Handler())
	outcomes := labelValues(fams, "rpchost_calls_total", "outcome")
	delete(outcomes, "result") // made with the method's instruments, at 0
	if len(outcomes) != maxProcedureCodes+1 || !outcomes["other"] {
		t.Errorf("%d fault outcome values for 100 procedure codes: %v; want %d and \"other\"", len(outcomes), outcomes, maxProcedureCodes+1)
	}
	if got, _ := metricSample(fams, "rpchost_calls_total", "outcome", "other"); got != 100-maxProcedureCodes {
		t.Errorf("other = %v, want %d", got, 100-maxProcedureCodes)
	}
}

func TestMetricsCountStoreCommitsAndUsage(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"p1.wasm": fixture(t, "kv")}, withStore(t))
	if got := callInt(t, h, "p1.put_a"); got != 0 {
		t.Fatalf("put_a = %d", got)
	}
	if got := callInt(t, h, "p1.get_a"); got != 1 { // reads only: no commit
		t.Fatalf("get_a = %d", got)
	}
	fams := scrape(t, h.Handler())
	if got, _ := metricSample(fams, "rpchost_store_commits_total", "plugin", "p1"); got != 1 {
		t.Errorf("store commits of p1 = %v, want 1", got)
	}
	if got, _ := metricSample(fams, "rpchost_store_bytes", "plugin", "p1"); got != 2 { // key "a", value "1"
		t.Errorf("store bytes of p1 = %v, want 2", got)
	}
	if got, _ := metricSample(fams, "rpchost_store_keys", "plugin", "p1"); got != 1 {
		t.Errorf("store keys of p1 = %v, want 1", got)
	}
}

func TestMetricsCountUploads(t *testing.T) {
	h, _ := newTestHost(t, nil, withTestAdmin, func(c Config) Config { return c.WithWatch(false, 0, 0) })
	ctx := context.Background()
	if _, err := h.Upload(ctx, "calc", fixture(t, "calc")); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Upload(ctx, "calc", fixture(t, "calc")); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Upload(ctx, "junk", []byte("not wasm")); err == nil {
		t.Fatal("junk accepted")
	}
	// Through the network without the token: refused before Upload runs.
	rec := httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/plugins/calc.wasm", strings.NewReader("\x00asm")))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("PUT without a token: %d", rec.Code)
	}
	fams := scrape(t, h.Handler())
	for _, c := range []struct {
		labels []string
		want   float64
	}{{[]string{"outcome", "accepted"}, 2}, {[]string{"outcome", "refused"}, 2}} {
		if got, _ := metricSample(fams, "rpchost_uploads_total", c.labels...); got != c.want {
			t.Errorf("rpchost_uploads_total%v = %v, want %v", c.labels, got, c.want)
		}
	}
	if got, _ := metricSample(fams, "rpchost_plugin_loads_total", "result", "reloaded"); got != 1 {
		t.Errorf("reloads = %v, want 1", got)
	}
	if got, _ := metricSample(fams, "rpchost_http_requests_total", "front_end", "admin", "code", "401"); got != 1 {
		t.Errorf("admin 401 requests = %v, want 1", got)
	}
}

func TestMetricsRouteCanBeTurnedOff(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")}, func(c Config) Config { return c.WithMetricsRoute(false) })
	rec := httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /metrics on the main handler with the route off: %d, want 404", rec.Code)
	}
	fams := scrape(t, h.MonitoringHandler())
	if fams["rpchost_plugins"] == nil {
		t.Error("MonitoringHandler serves no rpchost_plugins")
	}
	rec = httptest.NewRecorder()
	h.MonitoringHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/RPC2", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("POST /RPC2 on the monitoring handler: %d, want 404", rec.Code)
	}
}

// A call refused for want of an instance counts as -32002 and as refused,
// while the pool's gauges show the instance busy and the caller waiting.
func TestMetricsCountBusyWaitingAndRefusedCalls(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")},
		func(c Config) Config {
			return c.WithPluginLimits("calc", Limits{PoolSize: 1, MaxQueue: 1, CallTimeout: 2 * time.Second})
		})
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 2 { // one spins on the only instance, one waits
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = h.Call(ctx, "calc.spin", nil)
		}()
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := h.Call(ctx, "calc.add", []any{int64(1), int64(1)}); faultCode(t, err) != CodeBusy {
		t.Fatalf("a third call: %v; want busy", err)
	}
	fams := scrape(t, h.Handler())
	for _, c := range []struct {
		family string
		labels []string
		want   float64
	}{
		{"rpchost_instances", []string{"plugin", "calc", "state", "busy"}, 1},
		{"rpchost_calls_waiting", []string{"plugin", "calc"}, 1},
		{"rpchost_calls_refused_total", []string{"plugin", "calc"}, 1},
		{"rpchost_calls_total", []string{"method", "calc.add", "outcome", "-32002"}, 1},
	} {
		if got, ok := metricSample(fams, c.family, c.labels...); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.family, c.labels, got, ok, c.want)
		}
	}
	wg.Wait()
}

// BenchmarkObserve is what Host.Call adds to every call for its metrics:
// the two clock reads, the method's instruments, the counter and the
// histogram. It allocates nothing.
func BenchmarkObserve(b *testing.B) {
	h, _ := newTestHost(b, map[string][]byte{"calc.wasm": fixture(b, "calc")})
	e, ok := h.registry.Lookup("add")
	if !ok {
		b.Fatal("add not served")
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		h.observe(ctx, "add", e, h.clock(), nil)
	}
}

func TestObserveAllocatesNothing(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	e, _ := h.registry.Lookup("add")
	ctx := context.Background()
	h.observe(ctx, "add", e, h.clock(), nil)
	if n := testing.AllocsPerRun(1000, func() { h.observe(ctx, "add", e, h.clock(), nil) }); n != 0 {
		t.Errorf("observe allocates %v times per call, want 0", n)
	}
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	rec := httptest.NewRecorder()
	handler := h.Handler()
	handler.ServeHTTP(rec, req)
	base := testing.AllocsPerRun(100, func() { rec.Body.Reset(); handler.ServeHTTP(rec, req) })
	t.Logf("GET /healthz: %v allocations per request, counting included", base)
}

// Calls, scrapes, reloads and removals at once: the copy-on-write maps
// and the forgetting must hold under the race detector.
func TestMetricsUnderConcurrentReloadsAndScrapes(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")},
		withTestAdmin, func(c Config) Config { return c.WithWatch(false, 0, 0) })
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				switch i {
				case 0:
					_, _ = h.Call(ctx, "calc.add", []any{int64(1), int64(2)})
					_, _ = h.Call(ctx, fmt.Sprintf("nope%d", n), nil)
				case 1:
					rec := httptest.NewRecorder()
					h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
				case 2:
					_, _ = h.Call(ctx, "answer.answer", nil)
				}
			}
		}()
	}
	for range 5 {
		if _, err := h.Upload(ctx, "answer", fixture(t, "answer1")); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Upload(ctx, "answer", fixture(t, "answer2")); err != nil {
			t.Fatal(err)
		}
		if err := h.Remove(ctx, "answer"); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	fams := scrape(t, h.Handler())
	for m := range labelValues(fams, "rpchost_calls_total", "method") {
		if strings.HasPrefix(m, "answer.") {
			t.Errorf("%s still has a series after answer was removed", m)
		}
	}
	if got, _ := metricSample(fams, "rpchost_plugin_loads_total", "result", "reloaded"); got != 5 {
		t.Errorf("reloads = %v, want 5", got)
	}
}
