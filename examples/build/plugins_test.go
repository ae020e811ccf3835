package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// These tests load the committed plugins with wazero the way a host does,
// checking that the Go SDK's exports have the signatures package abi
// documents and that calls work end to end in a real wasm runtime.

var (
	runtimeOnce sync.Once
	wazeroRT    wazero.Runtime
	compiled    sync.Map // plugin name -> wazero.CompiledModule
)

// compile returns the compiled plugins/<name>.wasm, compiling it once.
func compile(t testing.TB, name string) wazero.CompiledModule {
	t.Helper()
	ctx := context.Background()
	runtimeOnce.Do(func() {
		wazeroRT = wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithMemoryLimitPages(1024))
		wasi_snapshot_preview1.MustInstantiate(ctx, wazeroRT)
	})
	if cm, ok := compiled.Load(name); ok {
		return cm.(wazero.CompiledModule)
	}
	wasm, err := os.ReadFile(filepath.Join(testRoot(t), pluginsDir, name+".wasm"))
	if err != nil {
		t.Fatalf("%v: run `go run ./examples/build`", err)
	}
	cm, err := wazeroRT.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	compiled.Store(name, cm)
	return cm
}

// sig renders a function's wasm signature as "(i32,i32) -> i64".
func sig(f api.FunctionDefinition) string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return strings.Join(s, ",")
	}
	return "(" + names(f.ParamTypes()) + ") -> (" + names(f.ResultTypes()) + ")"
}

func TestSDKPluginExports(t *testing.T) {
	want := map[string]string{
		abi.ExportInitialize: "() -> ()",
		abi.ExportVersion:    "() -> (i32)",
		abi.ExportAlloc:      "(i32) -> (i32)",
		abi.ExportDescribe:   "() -> (i64)",
		abi.ExportCall:       "(i32,i32) -> (i64)",
	}
	for _, name := range []string{"add", "types", "validator1"} {
		cm := compile(t, name)
		exports := cm.ExportedFunctions()
		for export, s := range want {
			f, ok := exports[export]
			if !ok {
				t.Errorf("%s: no export %s", name, export)
			} else if got := sig(f); got != s {
				t.Errorf("%s: %s is %s, want %s", name, export, got, s)
			}
		}
		if _, ok := cm.ExportedMemories()["memory"]; !ok {
			t.Errorf("%s exports no memory", name)
		}
		for _, f := range cm.ImportedFunctions() {
			if mod, fn, _ := f.Import(); mod != wasi_snapshot_preview1.ModuleName {
				t.Errorf("%s imports %s.%s: only WASI is provided", name, mod, fn)
			}
		}
	}
}

func TestNumericPluginExports(t *testing.T) {
	cm := compile(t, "numeric")
	want := map[string]string{
		"add":    "(i64,i64) -> (i64)",
		"triple": "(i64) -> (i64)",
		"fmul":   "(f64,f64) -> (f64)",
		"divmod": "(i32,i32) -> (i32,i32)",
		"half":   "(f32) -> (f32)",
	}
	got := map[string]string{}
	for name, f := range cm.ExportedFunctions() {
		got[name] = sig(f)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("numeric exports %v, want %v", got, want)
	}
	if len(cm.ImportedFunctions()) != 0 {
		t.Errorf("numeric imports %d functions, want none", len(cm.ImportedFunctions()))
	}
}

// instance is one instantiated SDK plugin, called as a host would.
type instance struct {
	t   testing.TB
	mod api.Module
}

func instantiate(t testing.TB, name string) *instance {
	t.Helper()
	ctx := context.Background()
	mod, err := wazeroRT.InstantiateModule(ctx, compile(t, name),
		wazero.NewModuleConfig().WithName("").WithStartFunctions().WithStderr(os.Stderr))
	if err != nil {
		t.Fatalf("instantiate %s: %v", name, err)
	}
	t.Cleanup(func() { mod.Close(ctx) })
	if _, err := mod.ExportedFunction(abi.ExportInitialize).Call(ctx); err != nil {
		t.Fatalf("%s: _initialize: %v", name, err)
	}
	return &instance{t: t, mod: mod}
}

func (in *instance) read(packed uint64) []byte {
	b, ok := in.mod.Memory().Read(uint32(packed>>32), uint32(packed))
	if !ok {
		in.t.Fatalf("region %#x is outside memory", packed)
	}
	return b
}

func (in *instance) manifest() abi.Manifest {
	res, err := in.mod.ExportedFunction(abi.ExportDescribe).Call(context.Background())
	if err != nil {
		in.t.Fatal(err)
	}
	m, err := abi.DecodeManifest(in.read(res[0]))
	if err != nil {
		in.t.Fatal(err)
	}
	return m
}

func (in *instance) call(method string, params ...any) (any, error) {
	ctx := context.Background()
	msg, err := abi.AppendCall(nil, method, params)
	if err != nil {
		in.t.Fatal(err)
	}
	p, err := in.mod.ExportedFunction(abi.ExportAlloc).Call(ctx, uint64(len(msg)))
	if err != nil {
		in.t.Fatal(err)
	}
	if !in.mod.Memory().Write(uint32(p[0]), msg) {
		in.t.Fatalf("rpchost_alloc returned %#x, outside memory", p[0])
	}
	res, err := in.mod.ExportedFunction(abi.ExportCall).Call(ctx, p[0], uint64(len(msg)))
	if err != nil {
		in.t.Fatalf("%s: trap: %v", method, err)
	}
	v, err := abi.DecodeResult(in.read(res[0]))
	if errors.Is(err, abi.ErrMalformed) {
		in.t.Fatalf("%s: malformed result: %v", method, err)
	}
	return v, err
}

func TestSDKPluginCalls(t *testing.T) {
	add := instantiate(t, "add")
	if v, err := add.mod.ExportedFunction(abi.ExportVersion).Call(context.Background()); err != nil || v[0] != abi.Version {
		t.Fatalf("rpchost_abi_version = %v, %v", v, err)
	}
	t.Logf("add: %d bytes of memory after _initialize", add.mod.Memory().Size())
	if m := add.manifest(); len(m.Methods) != 1 || m.Methods[0].Name != "add" || len(m.Methods[0].Signatures) == 0 {
		t.Fatalf("add manifest = %+v", m)
	}
	for _, tc := range []struct {
		in   *instance
		name string
		args []any
		want string
	}{
		{add, "add", []any{int64(3), int64(4)}, "7 <nil>"},
		{add, "add", []any{1.5, int64(2)}, "3.5 <nil>"},
		{add, "add", []any{"hello", "world"}, "helloworld <nil>"},
		{add, "add", []any{int64(1), "x"}, "<nil> fault -32602: add: cannot add int and string"},
		{add, "add", nil, "<nil> fault -32602: add takes 2 params, got 0"},
		{add, "nope", nil, `<nil> fault -32601: method "nope" not found`},
	} {
		v, err := tc.in.call(tc.name, tc.args...)
		if got := fmt.Sprint(v, " ", err); got != tc.want {
			t.Errorf("%s%v = %s, want %s", tc.name, tc.args, got, tc.want)
		}
	}

	types := instantiate(t, "types")
	if m := types.manifest(); len(m.Methods) != 7 {
		t.Fatalf("types manifest has %d methods", len(m.Methods))
	}
	sample, err := types.call("sample")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range sample.(abi.Struct) {
		if echoed, err := types.call("echo", m.Value); err != nil || !reflect.DeepEqual(echoed, m.Value) {
			t.Errorf("echo(%v) = %v, %v", m.Value, echoed, err)
		}
		if name, err := types.call("typeOf", m.Value); err != nil || name != m.Name {
			t.Errorf("typeOf(%v) = %v, %v; want %s", m.Value, name, err, m.Name)
		}
	}
	if _, err := types.call("fail", "boom"); fmt.Sprint(err) != "fault -32500: boom" {
		t.Errorf("fail: %v", err)
	}
	if _, err := types.call("fault", int64(4), "Too many parameters."); fmt.Sprint(err) != "fault 4: Too many parameters." {
		t.Errorf("fault: %v", err)
	}

	v1 := instantiate(t, "validator1")
	if m := v1.manifest(); len(m.Methods) != 8 {
		t.Fatalf("validator1 manifest has %d methods", len(m.Methods))
	}
	stooges := abi.Struct{{Name: "moe", Value: int64(1)}, {Name: "larry", Value: int64(2)}, {Name: "curly", Value: int64(3)}}
	if v, err := v1.call("easyStructTest", stooges); v != int64(6) || err != nil {
		t.Errorf("easyStructTest = %v, %v", v, err)
	}
	if v, err := v1.call("countTheEntities", `<<<>>&''"""`); err != nil || fmt.Sprint(v) != "[{ctLeftAngleBrackets 3} {ctRightAngleBrackets 2} {ctAmpersands 1} {ctApostrophes 2} {ctQuotes 3}]" {
		t.Errorf("countTheEntities = %v, %v", v, err)
	}
}

// TestSDKPluginMemoryStaysBounded makes calls that allocate 400 KB each:
// unless the SDK lets the garbage collector run (see abi/guest/yield.go),
// memory grows by that much per call until the 64 MiB limit traps.
func TestSDKPluginMemoryStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: makes 1,500 large calls")
	}
	in := instantiate(t, "add")
	big := make([]byte, 100<<10)
	for i := 0; i < 1500; i++ {
		v, err := in.call("add", big, big)
		if err != nil || len(v.([]byte)) != 2*len(big) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if size := in.mod.Memory().Size(); size > 32<<20 {
		t.Fatalf("memory grew to %d MiB after 1,500 calls", size>>20)
	} else {
		t.Logf("memory after 1,500 calls of 400 KB: %.1f MiB", float64(size)/(1<<20))
	}
}

// BenchmarkSDKPluginAdd measures one add(3, 4) as a host makes it: alloc,
// write the Call, call, read and decode the Result.
func BenchmarkSDKPluginAdd(b *testing.B) {
	in := instantiate(b, "add")
	ctx := context.Background()
	alloc, call := in.mod.ExportedFunction(abi.ExportAlloc), in.mod.ExportedFunction(abi.ExportCall)
	mem := in.mod.Memory()
	msg, _ := abi.AppendCall(nil, "add", []any{int64(3), int64(4)})
	stack := make([]uint64, 2)
	b.ReportAllocs()
	for b.Loop() {
		stack[0] = uint64(len(msg))
		if err := alloc.CallWithStack(ctx, stack); err != nil {
			b.Fatal(err)
		}
		p := uint32(stack[0])
		mem.Write(p, msg)
		stack[0], stack[1] = uint64(p), uint64(len(msg))
		if err := call.CallWithStack(ctx, stack); err != nil {
			b.Fatal(err)
		}
		out, _ := mem.Read(uint32(stack[0]>>32), uint32(stack[0]))
		if v, err := abi.DecodeResult(out); err != nil || v != int64(7) {
			b.Fatal(v, err)
		}
	}
}

// BenchmarkGoGuestEntry calls the cheapest export of a Go guest,
// rpchost_abi_version: what entering and leaving the Go runtime costs,
// the floor under every call of a Go plugin.
func BenchmarkGoGuestEntry(b *testing.B) {
	in := instantiate(b, "add")
	ctx := context.Background()
	version := in.mod.ExportedFunction(abi.ExportVersion)
	stack := make([]uint64, 1)
	for b.Loop() {
		if err := version.CallWithStack(ctx, stack); err != nil {
			b.Fatal(err)
		}
	}
}
