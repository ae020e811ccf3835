// Package rust_test checks the Rust SDK's committed example modules
// (sdk/rust/examples/*.wasm) in a real host: it needs no Rust toolchain,
// only the modules `go run ./examples/build` built and committed.
package rust_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
)

// newHost serves the given example modules from a temporary plugin
// directory, with a store.
func newHost(t *testing.T, names ...string) *host.Host {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		wasm, err := os.ReadFile(filepath.Join("examples", n+".wasm"))
		if err != nil {
			t.Fatalf("%v: run `go run ./examples/build` from the repository's root", err)
		}
		if err := os.WriteFile(filepath.Join(dir, n+".wasm"), wasm, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	h, err := host.New(ctx, host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0).
		WithStore(host.StoreConfig{Driver: "bbolt", Target: t.TempDir()}).
		WithPluginGrants("counter", []string{"kv"}).WithPluginGrants("add", []string{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return h
}

func TestAdd(t *testing.T) {
	h := newHost(t, "add")
	ctx := context.Background()
	for _, c := range []struct {
		a, b, want any
	}{
		{int64(3), int64(4), int64(7)},
		{"hello", "world", "helloworld"},
		{1.5, int64(2), 3.5},
		{int64(2), 0.25, 2.25},
		{[]byte{1, 2}, []byte{3}, []byte{1, 2, 3}},
		{[]any{int64(1)}, []any{"two", nil}, []any{int64(1), "two", nil}},
		{[]any{}, []any{}, []any{}},
		{int64(-1 << 62), int64(-1 << 62), int64(-1 << 63)},
	} {
		got, err := h.Call(ctx, "add.add", []any{c.a, c.b})
		if err != nil {
			t.Errorf("add(%#v, %#v): %v", c.a, c.b, err)
		} else if !reflect.DeepEqual(got, c.want) {
			t.Errorf("add(%#v, %#v) = %#v, want %#v", c.a, c.b, got, c.want)
		}
	}
	for _, params := range [][]any{
		{int64(1<<63 - 1), int64(1)},
		{1e308, 1e308},
		{"a", int64(1)},
		{true, true},
		{int64(1)},
		{int64(1), int64(2), int64(3)},
	} {
		_, err := h.Call(ctx, "add.add", params)
		if f := host.FaultOf(err); f == nil || f.Code != -32602 || f.Message == "" {
			t.Errorf("add%#v: %v, want fault -32602", params, err)
		}
	}
	help, err := h.Call(ctx, "system.methodHelp", []any{"add.add"})
	if err != nil || help == "" {
		t.Errorf("system.methodHelp(add.add) = %q, %v", help, err)
	}
	sigs, err := h.Call(ctx, "system.methodSignature", []any{"add.add"})
	if err != nil || len(sigs.([]any)) != 8 {
		t.Errorf("system.methodSignature(add.add) = %v, %v; want the 8 of the Go example", sigs, err)
	}
}

func TestCounter(t *testing.T) {
	h := newHost(t, "counter")
	ctx := context.Background()
	call := func(method string, params ...any) (any, error) {
		return h.Call(ctx, "counter."+method, params)
	}
	for want := int64(1); want <= 3; want++ {
		if got, err := call("count", "apples"); err != nil || got != want {
			t.Fatalf("count(apples) = %v, %v; want %d", got, err, want)
		}
	}
	if got, err := call("count", "pears"); err != nil || got != int64(1) {
		t.Errorf("count(pears) = %v, %v; want 1: counters are per name", got, err)
	}
	got, err := call("count_all", []any{"apples", "pears", "apples"})
	if want := []any{int64(4), int64(2), int64(5)}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("count_all = %v, %v; want %v (a call reads its own writes)", got, err, want)
	}
	// A fault after writes: none of the call's writes are kept.
	_, err = call("count_all", []any{"apples", "pears", ""})
	if f := host.FaultOf(err); f == nil || f.Code != -32602 {
		t.Errorf("count_all with an empty name: %v, want fault -32602", err)
	}
	if got, err := call("get", "apples"); err != nil || got != int64(5) {
		t.Errorf("get(apples) after a faulted count_all = %v, %v; want 5: its writes must be discarded", got, err)
	}
	got, err = call("all")
	if want := (abi.Struct{{Name: "apples", Value: int64(5)}, {Name: "pears", Value: int64(2)}}); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("all() = %#v, %v; want %v", got, err, want)
	}
	if got, err := call("reset", "apples"); err != nil || got != true {
		t.Errorf("reset(apples) = %v, %v", got, err)
	}
	if got, err := call("get", "apples"); err != nil || got != int64(0) {
		t.Errorf("get(apples) after reset = %v, %v; want 0", got, err)
	}
	if _, err := call("count", int64(1)); host.FaultOf(err) == nil || host.FaultOf(err).Code != -32602 {
		t.Errorf("count(1): %v, want fault -32602", err)
	}
	if _, err := call("nope"); !errors.Is(err, host.ErrMethodNotFound) && (host.FaultOf(err) == nil || host.FaultOf(err).Code != -32601) {
		t.Errorf("counter.nope: %v, want method not found", err)
	}
}

// TestCounterRefusedWrite checks the SDK's write set: kv::put records in
// guest memory and the host sees the call's writes in one kv_write when
// the handler returns; a write the host refuses there (reset's delete of a
// key over store.max_key_bytes: no read before it checks the key) turns
// the call's value into fault -32008.
func TestCounterRefusedWrite(t *testing.T) {
	h := newHost(t, "counter")
	ctx := context.Background()
	huge := strings.Repeat("k", 64<<10)
	if _, err := h.Call(ctx, "counter.count", []any{"apples"}); err != nil {
		t.Fatal(err)
	}
	got, err := h.Call(ctx, "counter.reset", []any{huge})
	f := host.FaultOf(err)
	if f == nil || f.Code != -32008 || !strings.Contains(f.Message, "the call's writes were refused, and none were kept") {
		t.Fatalf("reset of a key over the store's limit = %v, %v; want fault -32008", got, err)
	}
	t.Logf("fault: %.200s", f.Message)
	// The next call starts with an empty, unfailed set.
	if got, err := h.Call(ctx, "counter.count", []any{"apples"}); err != nil || got != int64(2) {
		t.Errorf("count(apples) after a refused write set = %v, %v; want 2", got, err)
	}
}

// TestGrants checks that the SDK imports only the capabilities a plugin
// uses: add, granted nothing, loads; counter, granted only kv, loads.
func TestGrants(t *testing.T) {
	h := newHost(t, "add", "counter")
	if _, err := h.Call(context.Background(), "add.add", []any{int64(1), int64(2)}); err != nil {
		t.Error(err)
	}
}
