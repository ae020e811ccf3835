// Package assemblyscript_test loads the AssemblyScript SDK's committed
// example modules (examples/add.wasm, examples/counter.wasm) into a real
// host and checks their answers. It needs no AssemblyScript toolchain:
// examples/build's staleness test checks that the modules are what their
// sources build.
package assemblyscript_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/testutil"
)

// newHost serves the committed examples/<name>.wasm modules, with a store.
func newHost(t *testing.T, names ...string) (*host.Host, *testutil.SyncBuffer) {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("examples", n+".wasm"))
		if err != nil {
			t.Fatalf("%v: run `go run ./examples/build %s` from the repository root", err, n)
		}
		if err := os.WriteFile(filepath.Join(dir, n+".wasm"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logs := &testutil.SyncBuffer{}
	cfg := host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0).
		WithStore(host.StoreConfig{Driver: "bbolt", Target: t.TempDir()}).
		WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h, err := host.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return h, logs
}

func call(t *testing.T, h *host.Host, method string, params ...any) (any, error) {
	t.Helper()
	if params == nil {
		params = []any{}
	}
	return h.Call(context.Background(), method, params)
}

func want(t *testing.T, h *host.Host, expect any, method string, params ...any) {
	t.Helper()
	got, err := call(t, h, method, params...)
	if err != nil {
		t.Fatalf("%s%v: %v", method, params, err)
	}
	if !reflect.DeepEqual(got, expect) {
		t.Fatalf("%s%v = %#v, want %#v", method, params, got, expect)
	}
}

func wantFault(t *testing.T, h *host.Host, code int, method string, params ...any) string {
	t.Helper()
	_, err := call(t, h, method, params...)
	var f *abi.Fault
	if !errors.As(err, &f) || f.Code != code {
		t.Fatalf("%s%v: err = %v, want a fault with code %d", method, params, err, code)
	}
	return f.Message
}

func TestAdd(t *testing.T) {
	h, _ := newHost(t, "add")
	want(t, h, int64(7), "add.add", int64(3), int64(4))
	want(t, h, "helloworld", "add.add", "hello", "world")
	want(t, h, 1.5, "add.add", 1.0, 0.5)
	want(t, h, 2.5, "add.add", int64(2), 0.5)
	want(t, h, 2.5, "add.add", 0.5, int64(2))
	want(t, h, []byte{1, 2, 3}, "add.add", []byte{1}, []byte{2, 3})
	want(t, h, []any{int64(1), "two"}, "add.add", []any{int64(1)}, []any{"two"})
	want(t, h, int64(-1<<63), "add.add", int64(-1<<62), int64(-1<<62))
	if msg := wantFault(t, h, abi.CodeInvalidParams, "add.add", int64(1<<62), int64(1<<62)); !strings.Contains(msg, "overflows") {
		t.Errorf("overflow fault %q", msg)
	}
	wantFault(t, h, abi.CodeInvalidParams, "add.add", 1e308, 1e308)
	if msg := wantFault(t, h, abi.CodeInvalidParams, "add.add", "a", int64(1)); msg != "add: cannot add string and int" {
		t.Errorf("mixed fault %q", msg)
	}
	wantFault(t, h, abi.CodeInvalidParams, "add.add", int64(1))
	help, err := call(t, h, "system.methodHelp", "add.add")
	if err != nil || !strings.HasPrefix(help.(string), "Adds two values like Python's +") {
		t.Errorf("methodHelp = %v, %v", help, err)
	}
	sigs, err := call(t, h, "system.methodSignature", "add.add")
	if err != nil || len(sigs.([]any)) != 8 {
		t.Errorf("methodSignature = %v, %v", sigs, err)
	}
}

func TestCounter(t *testing.T) {
	h, logs := newHost(t, "counter")
	want(t, h, int64(1), "counter.count", "a")
	want(t, h, int64(2), "counter.count", "a")
	want(t, h, int64(1), "counter.count", "b")
	want(t, h, int64(3), "counter.count", "a")
	// The fault discards the call's write: the counter does not move.
	if code := wantFault(t, h, 1, "counter.count_then_fail", "a"); !strings.Contains(code, "discarded") {
		t.Errorf("count_then_fail message %q", code)
	}
	want(t, h, int64(3), "counter.get", "a")
	want(t, h, true, "counter.reset", "a")
	want(t, h, int64(0), "counter.get", "a")
	want(t, h, int64(1), "counter.count", "a")
	want(t, h, int64(1), "counter.get", "b")
	want(t, h, abi.Struct{{Name: "a", Value: int64(1)}, {Name: "b", Value: int64(1)}}, "counter.list")
	if msg := wantFault(t, h, abi.CodeInvalidParams, "counter.count", int64(5)); msg != "count: param 1 is an int, want a string" {
		t.Errorf("wrong type fault %q", msg)
	}
	wantFault(t, h, abi.CodeInvalidParams, "counter.count")
	// A key over the store's limit: the host refuses the read, and the
	// SDK makes the call a fault rather than a count from zero.
	msg := wantFault(t, h, abi.CodeApplicationError, "counter.count", strings.Repeat("k", 64<<10))
	if !strings.HasPrefix(msg, "rpchost: kv_get: ") {
		t.Errorf("refused key: fault %q, want it to name kv_get", msg)
	}
	if !strings.Contains(logs.String(), "counter reset") {
		t.Errorf("reset is not logged:\n%s", logs)
	}
}

// BenchmarkAdd is one add.add(3, 4) through Host.Call, for the
// AssemblyScript module and, to compare, the Go one in plugins/. cpu-ns/op
// is the process's CPU time per call, steadier than ns/op on a busy machine.
func BenchmarkAdd(b *testing.B) {
	for _, mod := range []struct{ name, path string }{
		{"assemblyscript", filepath.Join("examples", "add.wasm")},
		{"go", filepath.Join("..", "..", "plugins", "add.wasm")},
	} {
		b.Run(mod.name, func(b *testing.B) {
			dir := b.TempDir()
			data, err := os.ReadFile(mod.path)
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "add.wasm"), data, 0o644); err != nil {
				b.Fatal(err)
			}
			h, err := host.New(context.Background(), host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0).
				WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close(context.Background())
			params := []any{int64(3), int64(4)}
			if v, err := h.Call(context.Background(), "add.add", params); err != nil || v != int64(7) {
				b.Fatalf("add(3, 4) = %v, %v", v, err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := testutil.CPUTime()
			for i := 0; i < b.N; i++ {
				if _, err := h.Call(context.Background(), "add.add", params); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(testutil.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
