package interrupt

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/rpchost/rpchost/abi"
)

// exportFuel adds an export "fuel" of the fuel global (the one after the
// flag) to an instrumented module, so a test can read what calls spend.
func exportFuel(t testing.TB, out []byte) []byte {
	t.Helper()
	r := &reader{b: out, pos: len(magic)}
	res := append([]byte{}, magic...)
	for !r.done() {
		id := r.byte()
		payload := r.bytes(int(r.u32()))
		if id == sectionExport {
			pr := &reader{b: payload}
			for n := pr.count(); n > 0 && pr.err == nil; n-- {
				name := pr.name()
				pr.byte()
				if idx := pr.u32(); name == ExportName {
					b := append(recount(payload, 1), appendName(nil, "fuel")...)
					payload = appendU32(append(b, exportGlobal), idx+1)
				}
			}
		}
		res = appendSection(res, id, payload)
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	return res
}

// TestFuelOfGoPluginCalls reports the fuel the Go SDK plugin spends per
// call, and so how many calls run between two exits to Go: the cost of
// the exits, which wall-clock benchmarks on a shared machine cannot tell
// from noise. It fails only if a call spends nothing.
func TestFuelOfGoPluginCalls(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	variantWASI(ctx, rt)
	mod, err := rt.InstantiateWithConfig(ctx, exportFuel(t, mustInstrument(t, readFile(t, "../../plugins/add.wasm"))),
		wazero.NewModuleConfig().WithStartFunctions(abi.ExportInitialize))
	if err != nil {
		t.Fatal(err)
	}
	fuel := mod.ExportedGlobal("fuel").(api.MutableGlobal)
	arr := make([]any, 5000)
	for i := range arr {
		arr[i] = int64(i)
	}
	for _, c := range []struct {
		name   string
		params []any
	}{{"add(3, 4)", []any{int64(3), int64(4)}}, {"add of two 5,000-int arrays", []any{arr, arr}}} {
		msg, _ := abi.AppendCall(nil, "add", c.params)
		stack := []uint64{uint64(len(msg)), 0}
		if err := mod.ExportedFunction(abi.ExportAlloc).CallWithStack(ctx, stack); err != nil {
			t.Fatal(err)
		}
		ptr := uint32(stack[0])
		mod.Memory().Write(ptr, msg)
		const start = 1<<31 - 1 // no exit during the measured call
		fuel.Set(api.EncodeI32(start))
		stack[0], stack[1] = uint64(ptr), uint64(len(msg))
		if err := mod.ExportedFunction(abi.ExportCall).CallWithStack(ctx, stack); err != nil {
			t.Fatal(err)
		}
		spent := start - int64(api.DecodeI32(fuel.Get()))
		t.Logf("%-28s spends %8d units: an exit to Go every %.1f calls", c.name, spent, float64(SafepointInterval)/float64(spent))
		if spent <= 0 {
			t.Errorf("%s spent %d fuel", c.name, spent)
		}
	}
}

func variantWASI(ctx context.Context, rt wazero.Runtime) {
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
}
