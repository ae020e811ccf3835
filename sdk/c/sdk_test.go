// Package c_test loads the C SDK's committed modules (its examples and the
// conformance plugin conformance/c.wasm) into a real host and checks their
// answers. It needs no C toolchain: the modules are committed, and
// examples/build's TestPluginsUpToDate checks that they match their
// sources.
package c_test

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/testutil"
)

// start serves the C examples as plugins add and counter, and
// conformance/c.wasm as conf, with a store and conf's configuration.
func start(t *testing.T, edit ...func(host.Config) host.Config) (*host.Host, *testutil.SyncBuffer) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range map[string]string{
		"add":     "examples/add.wasm",
		"counter": "examples/counter.wasm",
		"conf":    "../../conformance/c.wasm",
	} {
		wasm, err := os.ReadFile(src)
		if err != nil {
			t.Fatalf("%v: run `go run ./examples/build` at the repository root", err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".wasm"), wasm, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logs := &testutil.SyncBuffer{}
	ctx := context.Background()
	cfg := host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0).
		WithStore(host.StoreConfig{Driver: "bbolt", Target: t.TempDir()}).
		WithPluginConfig("conf", map[string]any{"greeting": "hello"}).
		WithPluginGrants("add", nil).
		WithPluginGrants("counter", []string{"kv", "log"}).
		WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	for _, e := range edit {
		cfg = e(cfg)
	}
	h, err := host.New(ctx, cfg)
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

// call returns "value" or "fault <code>: <message>", for compact tables.
func call(t *testing.T, h *host.Host, method string, params ...any) (any, *abi.Fault) {
	t.Helper()
	v, err := h.Call(context.Background(), method, params)
	if err != nil {
		f := host.FaultOf(err)
		if f == nil {
			t.Fatalf("%s: %v", method, err)
		}
		return nil, f
	}
	return v, nil
}

func TestAddExample(t *testing.T) {
	h, _ := start(t)
	for _, tc := range []struct {
		params []any
		want   any
		code   int
		msg    string
	}{
		{params: []any{int64(3), int64(4)}, want: int64(7)},
		{params: []any{"hello", "world"}, want: "helloworld"},
		{params: []any{1.5, int64(2)}, want: 3.5},
		{params: []any{int64(2), 0.25}, want: 2.25},
		{params: []any{[]byte{1}, []byte{2, 3}}, want: []byte{1, 2, 3}},
		{params: []any{[]any{int64(1)}, []any{"x", nil}}, want: []any{int64(1), "x", nil}},
		{params: []any{[]any{}, []any{}}, want: []any{}},
		{params: []any{int64(math.MaxInt64), int64(1)}, code: abi.CodeInvalidParams,
			msg: "add: 9223372036854775807 + 1 overflows a 64-bit integer"},
		{params: []any{int64(math.MinInt64), int64(-1)}, code: abi.CodeInvalidParams,
			msg: "add: -9223372036854775808 + -1 overflows a 64-bit integer"},
		{params: []any{1e308, 1e308}, code: abi.CodeInvalidParams, msg: "add: the sum overflows a double"},
		{params: []any{int64(1), "x"}, code: abi.CodeInvalidParams, msg: "add: cannot add int and string"},
		{params: []any{true, true}, code: abi.CodeInvalidParams, msg: "add: cannot add boolean and boolean"},
		{params: nil, code: abi.CodeInvalidParams, msg: "add takes 2 params, got 0"},
		{params: []any{int64(1), int64(2), int64(3)}, code: abi.CodeInvalidParams, msg: "add takes 2 params, got 3"},
	} {
		v, f := call(t, h, "add.add", tc.params...)
		switch {
		case tc.code != 0 && (f == nil || f.Code != tc.code || f.Message != tc.msg):
			t.Errorf("add%v = %v, %v; want fault %d: %s", tc.params, v, f, tc.code, tc.msg)
		case tc.code == 0 && (f != nil || !reflect.DeepEqual(v, tc.want)):
			t.Errorf("add%v = %#v, %v; want %#v", tc.params, v, f, tc.want)
		}
	}
	sig, _ := call(t, h, "system.methodSignature", "add.add")
	if got := len(sig.([]any)); got != 8 {
		t.Errorf("add.add has %d signatures, want 8 (as the Go add): %v", got, sig)
	}
	help, _ := call(t, h, "system.methodHelp", "add.add")
	if !strings.HasPrefix(help.(string), "Adds two values like Python's +") {
		t.Errorf("help = %q", help)
	}
	if _, f := call(t, h, "add.nope"); f == nil {
		t.Error("add.nope answered")
	}
}

func TestCounterExample(t *testing.T) {
	h, logs := start(t)
	for i := int64(1); i <= 3; i++ {
		if v, f := call(t, h, "counter.count", "apples"); f != nil || v != i {
			t.Fatalf("count(apples) #%d = %v, %v", i, v, f)
		}
	}
	if v, f := call(t, h, "counter.count", "pears"); f != nil || v != int64(1) {
		t.Fatalf("count(pears) = %v, %v", v, f)
	}
	want := abi.Struct{{Name: "apples", Value: int64(3)}, {Name: "pears", Value: int64(1)}}
	if v, f := call(t, h, "counter.counts"); f != nil || !reflect.DeepEqual(v, want) {
		t.Fatalf("counts() = %v, %v; want %v", v, f, want)
	}
	if !strings.Contains(logs.String(), "msg=counted") || !strings.Contains(logs.String(), "name=pears count=1") {
		t.Errorf("no debug line with the count's attributes in the log:\n%s", logs.String())
	}
	if v, f := call(t, h, "counter.reset", "apples"); f != nil || v != true {
		t.Fatalf("reset(apples) = %v, %v", v, f)
	}
	if v, f := call(t, h, "counter.count", "apples"); f != nil || v != int64(1) {
		t.Fatalf("count(apples) after reset = %v, %v", v, f)
	}
	// A key the store refuses is the store's message in a fault, not a crash.
	if _, f := call(t, h, "counter.count", strings.Repeat("k", 1<<20)); f == nil || f.Code != abi.CodeApplicationError {
		t.Errorf("count of a 1 MiB name: %v, want an application error", f)
	} else {
		t.Logf("count of a 1 MiB name: %v", f)
	}
	if _, f := call(t, h, "counter.count", int64(5)); f == nil || f.Code != abi.CodeInvalidParams ||
		f.Message != "param 1: want string, got int" {
		t.Errorf("count(5) = %v", f)
	}
	if _, f := call(t, h, "counter.count", ""); f == nil || f.Code != abi.CodeInvalidParams {
		t.Errorf("count(\"\") = %v", f)
	}
}

// TestConformanceModule makes the calls of conformance/README.md to
// conformance/c.wasm; the shared suite (conformance/) makes them to every
// language, this one runs without it.
func TestConformanceModule(t *testing.T) {
	h, logs := start(t)
	when := time.Date(2001, 2, 3, 4, 5, 6, 789_000_000, time.UTC)
	deep := any(int64(1))
	for range 100 {
		deep = []any{deep}
	}
	big := make([]any, 10000)
	for i := range big {
		big[i] = int64(i)
	}
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	for _, v := range []any{
		int64(0), int64(-1), int64(math.MaxInt32), int64(math.MinInt32), int64(math.MaxInt64), int64(math.MinInt64),
		int64(1 << 40), true, false, "", "ascii", "héllo, 世界", strings.Repeat("x", 100<<10),
		0.0, -0.5, 1e308, 5e-324, []byte{}, every, when, when.Truncate(time.Second),
		time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC), time.Date(2500, 1, 1, 0, 0, 0, 1, time.UTC),
		[]any{}, deep, big, abi.Struct{}, nil,
		abi.Struct{{Name: "z", Value: int64(1)}, {Name: "a", Value: abi.Struct{{Name: "m", Value: []any{nil}}}}},
	} {
		got, f := call(t, h, "conf.echo", v)
		if f != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("echo(%.80v) = %.80v, %v", v, got, f)
		}
		name, f := call(t, h, "conf.type_of", v)
		if want := abi.TypeName(v); f != nil || name != want && !(want == "i8" && name == "int") {
			t.Errorf("type_of(%.80v) = %v, %v; want %s", v, name, f, want)
		}
	}
	if v, f := call(t, h, "conf.echo_all"); f != nil || !reflect.DeepEqual(v, []any{}) {
		t.Errorf("echo_all() = %#v, %v", v, f)
	}
	if v, f := call(t, h, "conf.echo_all", int64(1), "a", nil); f != nil || !reflect.DeepEqual(v, []any{int64(1), "a", nil}) {
		t.Errorf("echo_all(1, a, nil) = %#v, %v", v, f)
	}
	made, f := call(t, h, "conf.made")
	want := abi.Struct{
		{Name: "int", Value: int64(42)}, {Name: "i8", Value: int64(1 << 40)}, {Name: "negative", Value: int64(-7)},
		{Name: "boolean", Value: true}, {Name: "double", Value: 1.5}, {Name: "string", Value: "héllo, 世界"},
		{Name: "empty", Value: ""}, {Name: "datetime", Value: when}, {Name: "base64", Value: []byte{0, 1, 2, 0xFF}},
		{Name: "array", Value: []any{int64(1), "two", 3.0}},
		{Name: "struct", Value: abi.Struct{{Name: "a", Value: int64(1)}, {Name: "b", Value: []any{true}}}},
		{Name: "nil", Value: nil},
	}
	if f != nil || !reflect.DeepEqual(made, want) {
		t.Errorf("made = %v, %v\nwant %v", made, f, want)
	}
	for _, code := range []int64{0, 1, abi.CodeInvalidParams, math.MaxInt32, math.MinInt32} {
		for _, msg := range []string{"", "boom", "ça a planté 💥"} {
			if _, f := call(t, h, "conf.fault", code, msg); f == nil || int64(f.Code) != code || f.Message != msg {
				t.Errorf("fault(%d, %q) = %v", code, msg, f)
			}
		}
	}
	if _, f := call(t, h, "conf.trap"); f == nil || f.Code != host.CodeTrap {
		t.Errorf("trap = %v", f)
	}
	if v, f := call(t, h, "conf.echo", "after"); f != nil || v != "after" {
		t.Errorf("echo after a trap = %v, %v", v, f)
	}
	if v, f := call(t, h, "conf.kv_put", "k", []byte("v1")); f != nil || v != true {
		t.Fatalf("kv_put = %v, %v", v, f)
	}
	if _, f := call(t, h, "conf.kv_put_then_fault", "k", []byte("v2")); f == nil || f.Code != 1 || f.Message != "discarded" {
		t.Errorf("kv_put_then_fault = %v", f)
	}
	if v, f := call(t, h, "conf.kv_get", "k"); f != nil || !reflect.DeepEqual(v, []byte("v1")) {
		t.Errorf("kv_get after a discarded write = %q, %v", v, f)
	}
	if v, f := call(t, h, "conf.kv_delete", "k"); f != nil || v != true {
		t.Errorf("kv_delete = %v, %v", v, f)
	}
	if v, f := call(t, h, "conf.kv_get", "k"); f != nil || v != nil {
		t.Errorf("kv_get after delete = %v, %v", v, f)
	}
	for i := int64(1); i <= 3; i++ {
		if v, f := call(t, h, "conf.kv_count", "n"); f != nil || v != i {
			t.Errorf("kv_count #%d = %v, %v", i, v, f)
		}
	}
	if v, f := call(t, h, "conf.config", "greeting"); f != nil || v != "hello" {
		t.Errorf("config(greeting) = %v, %v", v, f)
	}
	if v, f := call(t, h, "conf.config", "missing"); f != nil || v != nil {
		t.Errorf("config(missing) = %v, %v", v, f)
	}
	if v, f := call(t, h, "conf.now"); f != nil || v.(time.Time).Sub(time.Now()).Abs() > time.Minute {
		t.Errorf("now = %v, %v", v, f)
	} else {
		t.Logf("now: %v (the test's clock: %v)", v, time.Now().UTC())
	}
	if v, f := call(t, h, "conf.log", "a line from C"); f != nil || v != true {
		t.Errorf("log = %v, %v", v, f)
	}
	if !strings.Contains(logs.String(), "level=INFO") || !strings.Contains(logs.String(), "a line from C") {
		t.Errorf("the log has no info line with the message:\n%s", logs.String())
	}
	for _, tc := range []struct {
		method string
		params []any
	}{
		{"conf.echo", nil}, {"conf.made", []any{int64(1)}}, {"conf.fault", []any{"x", "y"}},
		{"conf.kv_get", []any{int64(1)}}, {"conf.now", []any{nil}}, {"conf.add", []any{nil, nil}},
		{"conf.fault", []any{int64(1) << 40, "too big"}},
	} {
		if _, f := call(t, h, tc.method, tc.params...); f == nil || f.Code != abi.CodeInvalidParams || f.Message == "" {
			t.Errorf("%s%v = %v, want invalid params", tc.method, tc.params, f)
		}
	}
}

// TestConformanceManifest checks the help texts and signatures the
// contract gives (conformance/README.md).
func TestConformanceManifest(t *testing.T) {
	h, _ := start(t)
	for method, want := range map[string]struct {
		help string
		sigs []any
	}{
		"echo":     {"Returns its param.", nil},
		"echo_all": {"Returns its params as an array.", nil},
		"add": {"Adds two values like Python's +.", []any{[]any{"int", "int", "int"}, []any{"double", "double", "double"},
			[]any{"string", "string", "string"}, []any{"array", "array", "array"}}},
		"type_of":           {"Names the type of its param.", nil},
		"made":              {"Returns one value of every type, made by the guest.", []any{[]any{"struct"}}},
		"fault":             {"Returns the fault it is asked for.", []any{[]any{"nil", "int", "string"}}},
		"trap":              {"Traps.", []any{[]any{"nil"}}},
		"kv_put":            {"Stores a value under a key.", []any{[]any{"boolean", "string", "base64"}}},
		"kv_get":            {"Reads the value stored under a key.", []any{[]any{"base64", "string"}}},
		"kv_delete":         {"Deletes a key.", []any{[]any{"boolean", "string"}}},
		"kv_put_then_fault": {"Stores a value, then fails.", []any{[]any{"nil", "string", "base64"}}},
		"kv_count":          {"Counts calls under a name.", []any{[]any{"int", "string"}}},
		"config":            {"Reads the plugin's configuration.", nil},
		"now":               {"Returns the host's clock.", []any{[]any{"dateTime.iso8601"}}},
		"log":               {"Logs a message.", []any{[]any{"boolean", "string"}}},
	} {
		help, f := call(t, h, "system.methodHelp", "conf."+method)
		if f != nil || help != want.help {
			t.Errorf("help of %s = %q, %v; want %q", method, help, f, want.help)
		}
		sigs, f := call(t, h, "system.methodSignature", "conf."+method)
		if f != nil {
			t.Errorf("signatures of %s: %v", method, f)
		} else if s, ok := sigs.([]any); want.sigs != nil && !reflect.DeepEqual(s, want.sigs) || want.sigs == nil && ok && len(s) != 0 {
			t.Errorf("signatures of %s = %v, want %v", method, sigs, want.sigs)
		}
	}
}

// TestMemoryStaysBounded makes calls that each allocate about 1.5 MB in
// the arena, under a 16 MiB memory limit: unless the arena is emptied at
// each call (and its buffers reused), the instance runs out of memory in
// a dozen calls and traps.
func TestMemoryStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: makes 300 large calls")
	}
	h, _ := start(t, func(c host.Config) host.Config { return c.WithMemoryLimit(16 << 20) })
	big := make([]byte, 256<<10)
	for i := range 300 {
		v, f := call(t, h, "add.add", big, big)
		if f != nil || len(v.([]byte)) != 2*len(big) {
			t.Fatalf("call %d: %v", i, f)
		}
	}
	if _, err := h.Call(context.Background(), "add.add", []any{int64(1), int64(2)}); errors.Is(err, host.ErrTrap) {
		t.Fatal("the instance trapped after large calls")
	}
}
