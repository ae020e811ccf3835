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
		t.Logf("%s: %d types, %d tables (largest minimum %d), %d element segments of %d elements, %d data segments",
			filepath.Base(path), sh.types, sh.tables, sh.biggestTable, sh.elemSegs, sh.elements, sh.dataSegs)
		if sh.tables > 1 {
			t.Errorf("%s: %d tables, Go guests have at most one (the limit is %d)", filepath.Base(path), sh.tables, maxTables)
		}
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
			{"types", sh.types, maxTypes},
			{"table minimum", sh.biggestTable, maxTableSize},
			{"element segments", sh.elemSegs, maxElementSegments},
			{"elements", sh.elements, maxElements},
			{"data segments", sh.dataSegs, maxDataSegments},
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
		// The red team's 5,000,000 empty types took +2.2 GB and 38 s.
		{"5,000,000 types", genModule(1, constBody, 1, repeat(5_000_000, 0)), "5000000 function types, the limit is 10000"},
		// (table 100000000 funcref) filled took GBs per instance.
		{"a table of 100,000,000", tables(1, 100_000_000), "100000000 entries in the minimum of table 0, the limit is 100000"},
		{"5 tables", tables(5, 1), "5 tables, imported and defined, the limit is 4"},
		{"an imported table of 200,000", importedTable(200_000), "200000 entries in the minimum of imported table 0, the limit is 100000"},
		// +230 MB and +196 MB in wazero.
		{"2,000,000 element segments", sectionOf(9, 2_000_000, []byte{1, 0, 0}), "2000000 element segments, the limit is 1000"},
		{"2,000,000 data segments", sectionOf(11, 2_000_000, []byte{1, 0}), "2000000 data segments, the limit is 300000"},
		{"a data count of 2,000,000", appendSection(append([]byte{}, magic...), 12, appendU32(nil, 2_000_000)), "2000000 data segments (data count section), the limit is 300000"},
		{"300,000 elements", sectionOf(9, 1, append(appendU32([]byte{1, 0}, 300_000), make([]byte, 300_000)...)), "elements in all element segments, the limit is 200000"},
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

// tables is a module of n (table min funcref).
func tables(n int, min uint32) []byte {
	var one []byte
	one = appendU32([]byte{0x70, 0}, min)
	return sectionOf(sectionTable, n, one)
}

// importedTable is a module importing (table min funcref) from env.
func importedTable(min uint32) []byte {
	imp := append(appendName(appendName(nil, "env"), "t"), importTable, 0x70, 0)
	return sectionOf(sectionImport, 1, appendU32(imp, min))
}

// sectionOf is a module of one section of n copies of entry.
func sectionOf(id byte, n int, entry []byte) []byte {
	b := appendU32(make([]byte, 0, 5+n*len(entry)), uint32(n))
	for range n {
		b = append(b, entry...)
	}
	return appendSection(append([]byte{}, magic...), id, b)
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

// Every table gets a maximum of at most maxTableSize, so that table.grow
// past the limit fails (returns -1) instead of growing the instance; a
// smaller declared maximum is kept.
func TestTablesGetAMaximum(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limits []byte // after the reference type
		room   uint32 // entries table.grow may add to the initial 10
	}{
		{"no maximum", []byte{0, 10}, maxTableSize - 10},
		{"a maximum of 2^32-1", appendU32([]byte{1, 10}, 1<<32-1), maxTableSize - 10},
		{"a maximum of 20", []byte{1, 10, 20}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// (table 10 <max> funcref)
			// (func (export "grow") (param i32) (result i32)
			//   (table.grow 0 (ref.null func) (local.get 0)))
			m := append([]byte{}, magic...)
			m = appendSection(m, 1, []byte{1, 0x60, 1, valueI32, 1, valueI32})
			m = appendSection(m, 3, []byte{1, 0})
			m = appendSection(m, sectionTable, append([]byte{1, 0x70}, tc.limits...))
			m = appendSection(m, sectionExport, append(appendName([]byte{1}, "grow"), exportFunc, 0))
			body := []byte{0, 0xd0, 0x70, 0x20, 0, 0xfc, 15, 0, opEnd}
			m = appendSection(m, sectionCode, append([]byte{1, byte(len(body))}, body...))
			mod := instantiate(t, mustInstrument(t, m))
			grow := func(n uint32) int32 {
				res, err := call(t, mod, "grow", uint64(n))
				if err != nil {
					t.Fatal(err)
				}
				return int32(res[0])
			}
			if got := grow(tc.room + 1); got != -1 {
				t.Errorf("growing by %d past the limit returned %d, want -1", tc.room+1, got)
			}
			if got := grow(tc.room); got != 10 {
				t.Errorf("growing by %d to the limit returned %d, want the old size 10", tc.room, got)
			}
			if got := grow(1); got != -1 {
				t.Errorf("growing by 1 at the limit returned %d, want -1", got)
			}
			t.Logf("a table of 10 grows by at most %d entries", tc.room)
		})
	}
}
