package host

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// The dispatch benchmarks measure one XML-RPC call in process, request
// bytes to response bytes, the way the server runs it: through the HTTP
// handler, and through the three steps it is made of (parse, call, encode).
// Run them with
//
//	go test ./host -run '^$' -bench Dispatch -benchmem
//
// and profile them with -cpuprofile / -memprofile (see bench/README.md).

// pyAddCall is add(3, 4) exactly as Python's xmlrpc.client sends it.
const pyAddCall = "<?xml version='1.0'?>\n<methodCall>\n<methodName>%s</methodName>\n<params>\n" +
	"<param>\n<value><int>3</int></value>\n</param>\n<param>\n<value><int>4</int></value>\n</param>\n" +
	"</params>\n</methodCall>\n"

// wantAddResponse is what both adds answer.
const wantAddResponse = `<?xml version="1.0"?><methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>`

// dispatchCase is one procedure to dispatch to: a plugin file from
// ../plugins and the method called.
type dispatchCase struct {
	name   string // sub-benchmark name
	plugin string // file in ../plugins, served under its own name
	method string
}

var dispatchCases = []dispatchCase{
	{"sdk-add", "add", "add"},                 // Go SDK guest, MessagePack across the boundary
	{"numeric-add", "numeric", "numeric.add"}, // WAT export add(i64, i64) i64, no SDK
}

// benchHost serves one shipped plugin with the default configuration (the
// default 5 s call timeout included, unless adjusted), without a file
// watcher, so nothing but the benchmark runs.
func benchHost(b *testing.B, plugin string, adjust ...func(Config) Config) *Host {
	b.Helper()
	return benchHostOf(b, plugin, filepath.Join("..", "plugins", plugin+".wasm"), adjust...)
}

// benchHostOf is benchHost serving the module at path (from host/) as
// plugin.
func benchHostOf(b *testing.B, plugin, path string, adjust ...func(Config) Config) *Host {
	b.Helper()
	wasm, err := os.ReadFile(path)
	if err != nil {
		b.Fatalf("read the plugin: %v", err)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, plugin+".wasm"), wasm, 0o644); err != nil {
		b.Fatal(err)
	}
	cfg := NewConfig().
		WithPluginDir(dir).
		WithCompilationCacheDir(""). // a cache would only speed up New, not a call
		WithWatch(false, time.Second, time.Second)
	for _, f := range adjust {
		cfg = f(cfg)
	}
	h, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := h.Close(context.Background()); err != nil {
			b.Errorf("Close: %v", err)
		}
	})
	return h
}

// addBody is add(3, 4) for method (a name that needs no XML escaping).
func addBody(method string) []byte { return fmt.Appendf(nil, pyAddCall, method) }

// BenchmarkDispatchHTTP runs the whole handler: body reading, parsing,
// dispatch, encoding and writing the response, with a pre-built request
// whose body is rewound each iteration and one reused ResponseRecorder
// (its body and header map emptied each iteration), so that what is
// counted is the handler's work and not the recorder's.
func BenchmarkDispatchHTTP(b *testing.B) {
	for _, c := range dispatchCases {
		b.Run(c.name, func(b *testing.B) {
			h := benchHost(b, c.plugin)
			body := addBody(c.method)
			serve, rec := handlerBench(h.Handler(), body)
			serve() // the first call creates the pooled instance
			if rec.Code != http.StatusOK || rec.Body.String() != wantAddResponse {
				b.Fatalf("got %d %q, want 200 %q", rec.Code, rec.Body.String(), wantAddResponse)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
			if rec.Body.String() != wantAddResponse {
				b.Fatalf("last response %q", rec.Body.String())
			}
		})
	}
}

// handlerBench returns serve, which runs body through handler as a POST
// to /RPC2: a pre-built request whose body is rewound each time, and one
// reused ResponseRecorder (rec) emptied each time, so that what is counted
// is the handler's work and not the recorder's.
func handlerBench(handler http.Handler, body []byte) (serve func(), rec *httptest.ResponseRecorder) {
	rd := bytes.NewReader(body)
	req := httptest.NewRequest(http.MethodPost, "/RPC2", nil)
	req.Header.Set("Content-Type", "text/xml")
	req.Body = io.NopCloser(rd)
	req.ContentLength = int64(len(body))
	rec = httptest.NewRecorder()
	return func() {
		rd.Reset(body)
		rec.Body.Reset()
		clear(rec.HeaderMap)
		handler.ServeHTTP(rec, req)
	}, rec
}

// BenchmarkDispatchDirect runs the three steps of a call without HTTP:
// xmlrpc.ParseRequest, Host.Call, xmlrpc.AppendResponse into a reused
// buffer. The -notimeout variants turn off the per-call time limit, which
// shows what the limit's context costs; the -isolated variants run every
// call on a fresh instance (IsolationCall), which shows what isolation
// between callers costs.
func BenchmarkDispatchDirect(b *testing.B) {
	noTimeout := func(c Config) Config { return c.WithCallTimeout(0) }
	isolated := func(c Config) Config { return c.WithLimits(Limits{Isolation: IsolationCall}) }
	for _, c := range dispatchCases {
		for _, variant := range []struct {
			suffix string
			adjust []func(Config) Config
		}{{"", nil}, {"-notimeout", []func(Config) Config{noTimeout}}, {"-isolated", []func(Config) Config{isolated}}} {
			b.Run(c.name+variant.suffix, func(b *testing.B) {
				h := benchHost(b, c.plugin, variant.adjust...)
				body := addBody(c.method)
				ctx := context.Background()
				var out []byte
				dispatch := func() {
					req, err := xmlrpc.ParseRequest(body, h.limits)
					if err != nil {
						b.Fatal(err)
					}
					v, err := h.Call(ctx, req.Method, req.Params)
					if err != nil {
						b.Fatal(err)
					}
					if out, err = xmlrpc.AppendResponse(out[:0], v); err != nil {
						b.Fatal(err)
					}
				}
				dispatch()
				if string(out) != wantAddResponse {
					b.Fatalf("got %q, want %q", out, wantAddResponse)
				}
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					dispatch()
				}
			})
		}
	}
}

// BenchmarkDispatchHTTPParallel runs the handler from GOMAXPROCS goroutines
// at once, as a server under load does, to show contention in the pool.
func BenchmarkDispatchHTTPParallel(b *testing.B) {
	for _, c := range dispatchCases {
		b.Run(c.name, func(b *testing.B) {
			h := benchHost(b, c.plugin)
			handler := h.Handler()
			body := addBody(c.method)
			warmPool(b, h, c.method, runtime.GOMAXPROCS(0))
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			b.ResetTimer() // RunParallel, unlike b.Loop, counts the set-up above
			b.RunParallel(func(pb *testing.PB) {
				rd := bytes.NewReader(body)
				req := httptest.NewRequest(http.MethodPost, "/RPC2", nil)
				req.Body = io.NopCloser(rd)
				req.ContentLength = int64(len(body))
				rec := httptest.NewRecorder()
				ran := false
				for pb.Next() {
					rd.Reset(body)
					rec.Body.Reset()
					clear(rec.HeaderMap)
					handler.ServeHTTP(rec, req)
					ran = true
				}
				if ran && rec.Body.String() != wantAddResponse {
					b.Errorf("last response %q", rec.Body.String())
				}
			})
		})
	}
}

// warmPool calls method from 2n goroutines at once until the plugin has n
// instances, so that instantiating one (milliseconds for a Go guest) does
// not land inside the measured loop. A procedure as fast as numeric.add may
// never overlap with itself; its instances cost microseconds anyway.
func warmPool(b *testing.B, h *Host, method string, n int) {
	b.Helper()
	for range 100 {
		if h.Plugins()[0].Instances >= n {
			return
		}
		var wg sync.WaitGroup
		for range 2 * n {
			wg.Go(func() {
				if _, err := h.Call(context.Background(), method, []any{int64(3), int64(4)}); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
}
