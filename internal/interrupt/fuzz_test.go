package interrupt

import (
	"context"
	"errors"
	stdflag "flag"
	"fmt"
	"testing"

	"github.com/tetratelabs/wazero"
)

// FuzzInstrument checks that Instrument never panics, and that whatever
// wazero accepts, Instrument accepts and turns into a module wazero accepts
// too: a module refused here would be a plugin refused for no reason.
// Modules declaring sizes beyond their end are not shown to wazero, which
// would try to allocate them (the reason Instrument refuses them).
func FuzzInstrument(f *testing.F) {
	f.Add(magic)
	f.Add(fixture(f, "features"))
	f.Add(fixture(f, "env"))
	// Bulk instructions, calls and indirect calls: the sites of charges
	// and flag tests (the small ones; the huge bodies would slow every run).
	for _, w := range workloads(f) {
		if len(w.module) < 1000 {
			f.Add(w.module)
		}
	}
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	// While fuzzing, a module Instrument refuses as malformed is not given
	// to wazero to compare: wazero allocates what a malformed count claims
	// (billions of entries) before it finds the bytes missing, and the
	// fuzzer's process dies of it (twice in CI-like runs) — on a module the
	// server never shows wazero. The corpus (testdata/fuzz, run by every
	// go test) still checks both directions.
	fuzzing := stdflag.Lookup("test.fuzz") != nil && stdflag.Lookup("test.fuzz").Value.String() != ""
	f.Fuzz(func(t *testing.T, module []byte) {
		out, err := Instrument(module)
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
			t.Fatalf("error outside ErrMalformed and ErrLimit: %v", err)
		}
		// Over a structural limit: refused by design, wazero would accept it.
		if errors.Is(err, errTooLarge) || errors.Is(err, ErrLimit) || declaresTooMuch(module) {
			return
		}
		if fuzzing && errors.Is(err, ErrMalformed) {
			return
		}
		compiled, panicked, verr := compileRecovering(ctx, rt, module)
		if panicked && err == nil {
			t.Fatalf("Instrument accepts a module on which wazero panics: %v", verr)
		}
		if verr != nil {
			return
		}
		compiled.Close(ctx)
		if err != nil {
			t.Fatalf("wazero accepts the module, Instrument refuses it: %v", err)
		}
		instrumented, _, err := compileRecovering(ctx, rt, out)
		if err != nil {
			t.Fatalf("instrumented module is invalid: %v", err)
		}
		instrumented.Close(ctx)
	})
}

// compileRecovering compiles with wazero, reporting a panic inside it as an
// error: a module wazero panics on must be one Instrument refuses, since
// the server shows wazero only what Instrument returns.
func compileRecovering(ctx context.Context, rt wazero.Runtime, module []byte) (compiled wazero.CompiledModule, panicked bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			compiled, panicked, err = nil, true, fmt.Errorf("wazero panicked: %v", p)
		}
	}()
	compiled, err = rt.CompileModule(ctx, module)
	return compiled, false, err
}

func BenchmarkInstrumentGoPlugin(b *testing.B) {
	module := readFile(b, "../../plugins/add.wasm")
	b.SetBytes(int64(len(module)))
	for b.Loop() {
		if _, err := Instrument(module); err != nil {
			b.Fatal(err)
		}
	}
}

// declaresTooMuch reports whether any section, not only the first faulty
// one Instrument stops at, declares a size beyond its end.
func declaresTooMuch(module []byte) bool {
	r := &reader{b: module, pos: len(magic)}
	if len(module) < len(magic) {
		return false
	}
	for !r.done() {
		id := r.byte()
		payload := r.bytes(int(r.u32()))
		if errors.Is(r.err, errTooLarge) {
			return true
		}
		// wazero reads a vector section's count without stopping at the
		// section's end: a count whose bytes run past it (refused by
		// Instrument as malformed) may still claim billions of entries,
		// which wazero allocates before it finds the section too short.
		if id >= 1 && id <= 11 && id != sectionStart && r.err == nil { // type … data
			count := &reader{b: module, pos: r.pos - len(payload)}
			if n := count.u32(); count.err == nil && uint64(n) > uint64(len(module)) {
				return true
			}
		}
		var err error
		switch id {
		case sectionImport:
			_, _, _, err = countImports(payload, &shape{})
		case sectionExport:
			err = checkExports(payload, &shape{})
		case sectionCode:
			_, err = instrumentCode(payload, globals{})
		default:
			err = checkStructure(id, payload, &shape{})
		}
		if errors.Is(err, errTooLarge) {
			return true
		}
	}
	return false
}
