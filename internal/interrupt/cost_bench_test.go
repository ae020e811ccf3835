package interrupt

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/rpchost/rpchost/abi"
)

// The benchmarks below put the three ways of running a Go plugin side by
// side: plain (cannot be stopped), wazero's WithCloseOnContextDone, and
// instrumented by this package. Run them with
//
//	go test ./internal/interrupt -run '^$' -bench 'GoPlugin' -benchmem
var variants = []struct {
	name       string
	instrument bool
	closeOnCtx bool
}{
	{"plain", false, false},
	{"close-on-context-done", false, true},
	{"instrumented", true, false},
}

func variantModule(b *testing.B, instrument bool) []byte {
	module := readFile(b, "../../plugins/add.wasm")
	if instrument {
		module = mustInstrument(b, module)
	}
	return module
}

func variantRuntime(b *testing.B, closeOnCtx bool) wazero.Runtime {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCloseOnContextDone(closeOnCtx))
	b.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	return rt
}

// BenchmarkGoPluginCompile compiles plugins/add.wasm (3 MB) on one thread.
func BenchmarkGoPluginCompile(b *testing.B) {
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			module := variantModule(b, v.instrument)
			ctx := context.Background()
			for b.Loop() {
				rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCloseOnContextDone(v.closeOnCtx))
				if _, err := rt.CompileModule(ctx, module); err != nil {
					b.Fatal(err)
				}
				rt.Close(ctx)
			}
		})
	}
}

// BenchmarkGoPluginCall is one ABI call of add(3, 4) into the Go SDK plugin:
// rpchost_call on a message already in the guest's memory, under a
// cancellable context as rpchost's calls are.
func BenchmarkGoPluginCall(b *testing.B) {
	benchGoPlugin(b, []any{int64(3), int64(4)}, func(v any) bool { return v == int64(7) })
}

// BenchmarkGoPluginArrays is add of two arrays of 5,000 ints: Go code that
// loops (decoding, copying, encoding), where the check at each jump of Go's
// dispatch loop is paid thousands of times per call.
func BenchmarkGoPluginArrays(b *testing.B) {
	a := make([]any, 5000)
	for i := range a {
		a[i] = int64(i)
	}
	benchGoPlugin(b, []any{a, a}, func(v any) bool { r, ok := v.([]any); return ok && len(r) == 10000 })
}

func benchGoPlugin(b *testing.B, params []any, ok func(any) bool) {
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rt := variantRuntime(b, v.closeOnCtx)
			mod, err := rt.InstantiateWithConfig(ctx, variantModule(b, v.instrument),
				wazero.NewModuleConfig().WithStartFunctions(abi.ExportInitialize))
			if err != nil {
				b.Fatal(err)
			}
			msg, _ := abi.AppendCall(nil, "add", params)
			stack := []uint64{uint64(len(msg)), 0}
			if err := mod.ExportedFunction(abi.ExportAlloc).CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
			ptr := uint32(stack[0])
			mod.Memory().Write(ptr, msg)
			call := mod.ExportedFunction(abi.ExportCall)
			b.ReportAllocs()
			for b.Loop() {
				stack[0], stack[1] = uint64(ptr), uint64(len(msg))
				if err := call.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
			out, _ := mod.Memory().Read(uint32(stack[0]>>32), uint32(stack[0]))
			if v, err := abi.DecodeResult(out); err != nil || !ok(v) {
				b.Fatalf("add%v = %v, %v", params[:min(len(params), 2)], v, err)
			}
		})
	}
}

// BenchmarkTightLoop is a loop of three instructions, countdown(1,000,000)
// in testdata/features.wat: the worst case for the check's relative cost.
func BenchmarkTightLoop(b *testing.B) {
	for _, v := range variants {
		if v.closeOnCtx {
			continue
		}
		b.Run(v.name, func(b *testing.B) {
			module := fixture(b, "features")
			if v.instrument {
				module = mustInstrument(b, module)
			}
			ctx := context.Background()
			rt := wazero.NewRuntime(ctx)
			b.Cleanup(func() { rt.Close(ctx) })
			if _, err := rt.InstantiateWithConfig(ctx, fixture(b, "env"), wazero.NewModuleConfig().WithName("env")); err != nil {
				b.Fatal(err)
			}
			mod, err := rt.Instantiate(ctx, module)
			if err != nil {
				b.Fatal(err)
			}
			countdown := mod.ExportedFunction("countdown")
			for b.Loop() {
				if _, err := countdown.Call(ctx, 1_000_000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
