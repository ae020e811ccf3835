package interrupt

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every module the project ships passes each structural limit with a wide
// margin: at most a fifth of it. A module of the user's own in plugins/ is
// not the project's (shippedModules).
func TestShippedModulesAreFarBelowTheLimits(t *testing.T) {
	for _, path := range shippedModules(t) {
		m, err := parseModule(readFile(t, path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		sh := m.shape
		t.Logf("%s: %d functions, %d exports, %d locals (at most %d in one function), depth %d (sum of squares %d), largest body %d bytes, %d type parameters and results",
			filepath.Base(path), sh.functions, sh.exports, sh.locals, sh.mostLocals, sh.deepest, sh.nesting, sh.biggestBody, sh.typeArity)
		for _, c := range []struct {
			what         string
			value, limit uint64
		}{
			{"functions", sh.functions, maxFunctions},
			{"exports", sh.exports, maxExports},
			{"locals", sh.locals, maxLocalsTotal},
			{"locals in one function", sh.mostLocals, maxLocals},
			{"depth", sh.deepest, maxDepth},
			{"nesting", sh.nesting, maxNesting},
			{"body bytes", sh.biggestBody, maxBodyBytes},
			{"type arity", sh.typeArity, maxTypeArityTotal},
		} {
			if c.value > c.limit/5 {
				t.Errorf("%s: %d %s, more than a fifth of the limit %d", filepath.Base(path), c.value, c.what, c.limit)
			}
		}
	}
}

// Modules over a structural limit are refused, quickly, with the limit
// and the module's figure, before wazero compiles anything.
func TestBlowUpModulesAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		module []byte
		want   string
	}{
		// The 73 KB module that took wazero +1.5 GB to compile.
		{"4,000 × 50,000 locals", genModule(4000, localsBody(50_000), 1, nil), "locals in all functions, the limit is 1000000"},
		// The 210 KB module that held the loader 45 s.
		{"70,000 nested blocks", genModule(1, nestedBody(70_000), 1, nil), "70000 levels of nested blocks in function body 0, the limit is 10000"},
		{"200 functions 1,000 deep", genModule(200, nestedBody(1000), 1, nil), "for the sum over functions of their nesting depth squared, the limit is 100000000"},
		{"200,000 exports", genModule(1, constBody, 200_000, nil), "200000 exports, the limit is 10000"},
		{"100,000 functions", genModule(100_000, constBody, 1, nil), "100000 functions, imported and defined, the limit is 50000"},
		{"a 2 MiB body", genModule(1, bulkBody(2<<20/3), 1, nil), "bytes in function body 0, the limit is 1048576"},
		{"10,000 types of 500 parameters", genModule(1, constBody, 1, repeat(10_000, 500)), "parameters and results in all function types, the limit is 100000"},
		{"10,001 globals", manyGlobals(10_001), "10001 globals, imported and defined, the limit is 10000"},
		{"a type of 3,000 parameters", genModule(1, constBody, 1, []int{0, 3000}), "3001 parameters and results in one function type, the limit is 2000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Instrument(tc.module)
			took := time.Since(start)
			t.Logf("%d KB refused in %v: %v", len(tc.module)>>10, took.Round(time.Microsecond), err)
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrLimit saying %q", err, tc.want)
			}
			if took > 5*time.Second {
				t.Errorf("refusing took %v", took)
			}
		})
	}
}

func repeat(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// genModule builds a module of funcs functions of type 0, () -> i32, with
// bodies from body, exporting function 0 exports times under different
// names. types lists the parameter counts of the function types (i32
// parameters, one i32 result); nil is just type 0, () -> i32.
func genModule(funcs int, body func() []byte, exports int, types []int) []byte {
	if types == nil {
		types = []int{0}
	}
	m := append([]byte{}, magic...)
	ts := appendU32(nil, uint32(len(types)))
	for _, params := range types {
		ts = appendU32(append(ts, 0x60), uint32(params))
		for range params {
			ts = append(ts, valueI32)
		}
		ts = append(ts, 1, valueI32)
	}
	m = appendSection(m, 1, ts)
	fs := appendU32(nil, uint32(funcs))
	for range funcs {
		fs = append(fs, 0)
	}
	m = appendSection(m, 3, fs)
	es := appendU32(nil, uint32(exports))
	for i := range exports {
		es = append(appendName(es, "f"+strconv.Itoa(i)), exportFunc, 0)
	}
	m = appendSection(m, sectionExport, es)
	b := body()
	cs := appendU32(nil, uint32(funcs))
	for range funcs {
		cs = append(appendU32(cs, uint32(len(b))), b...)
	}
	return appendSection(m, sectionCode, cs)
}

// constBody is (i32.const 1).
func constBody() []byte { return []byte{0, opI32Const, 1, opEnd} }

// localsBody declares n i32 locals.
func localsBody(n int) func() []byte {
	return func() []byte {
		return append(appendU32([]byte{1}, uint32(n)), valueI32, opI32Const, 1, opEnd)
	}
}

// nestedBody nests n empty blocks.
func nestedBody(n int) func() []byte {
	return func() []byte {
		b := []byte{0}
		for range n {
			b = append(b, opBlock, blockTypeEmpty)
		}
		for range n {
			b = append(b, opEnd)
		}
		return append(b, opI32Const, 1, opEnd)
	}
}

// bulkBody is n (i32.const 1 drop) pairs, three bytes each.
func bulkBody(n int) func() []byte {
	return func() []byte {
		b := []byte{0}
		for range n {
			b = append(b, opI32Const, 1, opDrop)
		}
		return append(b, opI32Const, 1, opEnd)
	}
}

// manyGlobals is a module of n (global i32 (i32.const 0)).
func manyGlobals(n int) []byte {
	gs := appendU32(nil, uint32(n))
	for range n {
		gs = append(gs, valueI32, 0, opI32Const, 0, opEnd)
	}
	return appendSection(append([]byte{}, magic...), sectionGlobal, gs)
}

// The start section becomes the rpchost:start export: instantiating runs
// nothing of the guest, and the export runs what the start function did.
func TestStartSectionBecomesAnExport(t *testing.T) {
	// (global $g (mut i32) (i32.const 0)) (func $s (global.set $g (i32.const 42)))
	// (start $s) (export "g" (global $g))
	m := append([]byte{}, magic...)
	m = appendSection(m, 1, []byte{1, 0x60, 0, 0})
	m = appendSection(m, 3, []byte{1, 0})
	m = appendSection(m, sectionGlobal, []byte{1, valueI32, mutable, opI32Const, 0, opEnd})
	m = appendSection(m, sectionExport, append(appendName([]byte{1}, "g"), exportGlobal, 0))
	m = appendSection(m, sectionStart, []byte{0})
	m = appendSection(m, sectionCode, []byte{1, 6, 0, opI32Const, 42, opGlobalSet, 0, opEnd})
	mod := instantiate(t, mustInstrument(t, m))
	g := mod.ExportedGlobal("g")
	if got := g.Get(); got != 0 {
		t.Fatalf("the start function ran at instantiation: g = %d", got)
	}
	if _, err := call(t, mod, StartExportName); err != nil {
		t.Fatal(err)
	}
	if got := g.Get(); got != 42 {
		t.Errorf("after %s, g = %d, want 42", StartExportName, got)
	}

	taken := append(append([]byte{}, magic...), appendSection(nil, sectionExport,
		append(appendName([]byte{1}, StartExportName), exportFunc, 0))...)
	if _, err := Instrument(taken); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), StartExportName) {
		t.Errorf("a module exporting %s: err = %v", StartExportName, err)
	}
}
