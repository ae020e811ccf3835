package interrupt

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/rpchost/rpchost/internal/testutil"
)

// testdata/*.wasm are built from the .wat beside each (see its first lines);
// TestFixturesMatchWat keeps them in step.
//
//go:embed testdata/*.wasm
var fixtures embed.FS

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	return testutil.Fixture(t, fixtures, name)
}

// instantiate runs module (instrumented or not) with the "env" module it
// imports from.
func instantiate(t testing.TB, module []byte) api.Module {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	t.Cleanup(func() { rt.Close(ctx) })
	if _, err := rt.InstantiateWithConfig(ctx, fixture(t, "env"), wazero.NewModuleConfig().WithName("env")); err != nil {
		t.Fatal(err)
	}
	mod, err := rt.Instantiate(ctx, module)
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	return mod
}

func mustInstrument(t testing.TB, module []byte) []byte {
	t.Helper()
	out, err := Instrument(module)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func call(t testing.TB, mod api.Module, name string, params ...uint64) ([]uint64, error) {
	t.Helper()
	fn := mod.ExportedFunction(name)
	if fn == nil {
		t.Fatalf("no export %q", name)
	}
	return fn.Call(context.Background(), params...)
}

func flag(t testing.TB, mod api.Module) api.MutableGlobal {
	t.Helper()
	g, ok := mod.ExportedGlobal(ExportName).(api.MutableGlobal)
	if !ok {
		t.Fatalf("no mutable global exported as %q", ExportName)
	}
	return g
}

func TestInstrumentKeepsResults(t *testing.T) {
	instrumentedBytes := mustInstrument(t, fixture(t, "features"))
	cases := []struct {
		fn     string
		params []uint64
	}{
		{"answer", nil},
		{"countdown", []uint64{1}},
		{"countdown", []uint64{1000}},
		{"nested", []uint64{0}},
		{"nested", []uint64{300}},
		{"mix", []uint64{0}},
		{"mix", []uint64{1}},
		{"mix", []uint64{2}},
		{"mix", []uint64{7}},
	}
	for _, c := range cases {
		// New instances each time: mix drops a data segment it used.
		plain, instrumented := instantiate(t, fixture(t, "features")), instantiate(t, instrumentedBytes)
		want, err := call(t, plain, c.fn, c.params...)
		if err != nil {
			t.Fatalf("plain %s%v: %v", c.fn, c.params, err)
		}
		got, err := call(t, instrumented, c.fn, c.params...)
		if err != nil {
			t.Fatalf("instrumented %s%v: %v", c.fn, c.params, err)
		}
		if len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
			t.Errorf("%s%v = %v instrumented, %v plain", c.fn, c.params, got, want)
		}
		if got := flag(t, instrumented).Get(); got != 0 {
			t.Errorf("flag = %d after %s, want 0", got, c.fn)
		}
	}
}

// spin starts the fixture's endless loop and gives it time to get going;
// the channel gets what the call returns.
func spin(mod api.Module) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := mod.ExportedFunction("spin").Call(context.Background())
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	return done
}

func TestInstrumentStopsRunawayLoop(t *testing.T) {
	mod := instantiate(t, mustInstrument(t, fixture(t, "features")))
	done := spin(mod)
	flag(t, mod).Set(1)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "unreachable") {
			t.Fatalf("spin returned %v, want an unreachable trap", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("spin did not stop 10 s after the flag was set")
	}
}

func TestInstrumentStopsLoopFreeFunction(t *testing.T) {
	mod := instantiate(t, mustInstrument(t, fixture(t, "features")))
	flag(t, mod).Set(1)
	// The flag is read at the safepoint, every SafepointInterval entries.
	for i := 0; i <= SafepointInterval; i++ {
		if _, err := call(t, mod, "answer"); err != nil {
			if !strings.Contains(err.Error(), "unreachable") {
				t.Fatalf("answer with the flag set returned %v, want an unreachable trap", err)
			}
			return
		}
	}
	t.Fatalf("%d calls of answer ran with the flag set", SafepointInterval+1)
}

// A guest loop must not hold up the garbage collector: Go cannot preempt
// machine code, so without the safepoints runtime.GC below would wait for
// the loop forever, and so would this whole test binary (a hang, ended by
// go test's -timeout).
func TestInstrumentedLoopLetsGCRun(t *testing.T) {
	mod := instantiate(t, mustInstrument(t, fixture(t, "features")))
	done := spin(mod)
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	flag(t, mod).Set(1)
	if err := <-done; err == nil {
		t.Fatal("spin returned without error after the flag was set")
	}
}

// overLimit are the test fixtures made to be over a structural limit: the
// host's tests check that the loader and inspect refuse them.
var overLimit = map[string]bool{"table_limit.wasm": true}

// Every module the project ships or tests with must come out valid: wazero
// validates each function again when compiling it. The shipped ones are
// the guests' (shippedModules), not whatever plugins/ holds.
func TestInstrumentProjectModules(t *testing.T) {
	paths := shippedModules(t)
	for _, glob := range []string{"../../host/testdata/*.wasm", "testdata/*.wasm"} {
		found, _ := filepath.Glob(glob)
		paths = append(paths, found...)
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d modules: %v", len(paths), paths)
	}
	ctx := context.Background()
	// The interpreter validates as the compiler does, in a fraction of the
	// time (this test runs under the race detector in CI); the host's tests
	// compile the same modules with the compiler.
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	for _, path := range paths {
		module, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Instrument(module)
		if overLimit[filepath.Base(path)] {
			// A fixture of a refusal: it must be refused, for its limit.
			if !errors.Is(err, ErrLimit) {
				t.Errorf("%s: %v, want ErrLimit", path, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		compiled, err := rt.CompileModule(ctx, out)
		if err != nil {
			t.Errorf("%s instrumented does not compile: %v", path, err)
			continue
		}
		if _, err := parseModule(out); err == nil || !strings.Contains(err.Error(), "already exports") {
			t.Errorf("%s instrumented: want the flag exported, reading it again gave %v", path, err)
		}
		compiled.Close(ctx)
	}
}

func TestInstrumentAddsMissingSections(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	for name, module := range map[string][]byte{
		"empty module": magic,
		// (module (func (export "f"))): an export section but no global section.
		"function only": append(append([]byte{}, magic...),
			1, 4, 1, 0x60, 0, 0, // type: () -> ()
			3, 2, 1, 0, // function 0 of type 0
			7, 5, 1, 1, 'f', 0, 0, // export "f" = function 0
			10, 4, 1, 2, 0, opEnd, // code: no locals, end
		),
	} {
		mod, err := rt.Instantiate(ctx, mustInstrument(t, module))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, ok := mod.ExportedGlobal(ExportName).(api.MutableGlobal); !ok {
			t.Errorf("%s: no mutable %q", name, ExportName)
		}
		mod.Close(ctx)
	}
}

func TestInstrumentDropsSectionsPointingIntoCode(t *testing.T) {
	custom := func(name string) []byte {
		payload := appendName(nil, name)
		payload = append(payload, "payload"...)
		return appendSection(nil, sectionCustom, payload)
	}
	module := append(append([]byte{}, magic...), custom(".debug_info")...)
	module = append(module, custom("producers")...)
	module = append(module, custom("sourceMappingURL")...)
	out := mustInstrument(t, module)
	if bytes.Contains(out, []byte(".debug_info")) || bytes.Contains(out, []byte("sourceMappingURL")) {
		t.Error("a section addressing code by offset survived")
	}
	if !bytes.Contains(out, custom("producers")) {
		t.Error("the producers section was dropped")
	}
}

func TestInstrumentRefuses(t *testing.T) {
	taken := append(append([]byte{}, magic...), appendSection(nil, sectionExport,
		(&module{}).appendExports(appendU32(nil, 1), 0))...)
	unknownOp := append(append([]byte{}, magic...),
		1, 4, 1, 0x60, 0, 0,
		3, 2, 1, 0,
		10, 5, 1, 3, 0, 0xff, opEnd, // 0xff is no instruction
	)
	for name, module := range map[string][]byte{
		"not wasm":          []byte("hello"),
		"wasm 2 binary":     {0, 'a', 's', 'm', 2, 0, 0, 0},
		"truncated section": append(append([]byte{}, magic...), 1, 10, 0),
		"unknown section":   append(append([]byte{}, magic...), 99, 0),
		"name taken":        taken,
		"unknown opcode":    unknownOp,
		// wazero would allocate 4 billion imports, a fatal out of memory.
		"4 billion imports": append(append([]byte{}, magic...), 2, 6, 0xff, 0xff, 0xff, 0xff, 0x0f, 0),
		// wazero v1.12 would index its type section with type 48 and panic.
		"call to a function of a missing type": callToMissingType,
	} {
		if _, err := Instrument(module); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

// callToMissingType has two functions, the first calling the second, whose
// type 48 does not exist: found by FuzzInstrument in CI, it made wazero
// v1.12 panic while validating the call, which ended the whole server.
var callToMissingType = append(append([]byte{}, magic...),
	1, 4, 1, 0x60, 0, 0, // one type, () -> ()
	3, 3, 2, 0, 48, // functions of types 0 and 48
	10, 9, 2, 4, 0, 0x10, 1, opEnd, 2, 0, opEnd, // the first calls the second
)

func TestFixturesMatchWat(t *testing.T) { testutil.CheckWatFixtures(t, fixtures) }

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
