package interrupt

import (
	"bytes"
	"fmt"
	"strings"
)

const (
	sectionCustom = 0
	sectionImport = 2
	sectionTable  = 4
	sectionMemory = 5
	sectionGlobal = 6
	sectionExport = 7
	sectionStart  = 8
	sectionCode   = 10

	importFunc   = 0
	importTable  = 1
	importMemory = 2
	importGlobal = 3
	importTag    = 4

	exportFunc   = 0
	exportGlobal = 3
	valueI32     = 0x7f
	mutable      = 1
)

// StartExportName is the export under which an instrumented module exposes
// the function its start section named; the start section itself is
// removed. wazero runs a start function inside InstantiateModule, before
// the caller can arm a deadline, so a start function that loops would hang
// the loader; exported instead, the host calls it right after
// instantiation under the same deadline and interrupt flag as any call.
const StartExportName = "rpchost:start"

var magic = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// sectionRank orders the known sections as the binary format requires
// (the tag section sits between memory and global).
var sectionRank = [...]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13}

type section struct {
	id      byte
	payload []byte
}

type module struct {
	sections       []section
	importedGlobal uint32 // imported globals come first in the index space
	definedGlobal  uint32
	memories       uint32 // imported and defined
	start          uint32 // the start function's index, when hasStart
	hasStart       bool
	shape          shape
}

func parseModule(b []byte) (*module, error) {
	if !bytes.HasPrefix(b, magic) {
		return nil, fmt.Errorf("%w: not a wasm 1.0 binary module", ErrMalformed)
	}
	r := &reader{b: b, pos: len(magic)}
	m := &module{}
	for !r.done() {
		id := r.byte()
		payload := r.bytes(int(r.u32()))
		if r.err != nil {
			return nil, r.err
		}
		if int(id) >= len(sectionRank) || (id != sectionCustom && sectionRank[id] == 0) {
			return nil, fmt.Errorf("%w: unknown section %d", ErrMalformed, id)
		}
		if err := checkStructure(id, payload, &m.shape); err != nil {
			return nil, fmt.Errorf("section %d: %w", id, err)
		}
		switch id {
		case sectionImport:
			globals, memories, funcs, err := countImports(payload, &m.shape)
			if err != nil {
				return nil, err
			}
			m.shape.functions += funcs
			if m.shape.functions > maxFunctions {
				return nil, fmt.Errorf("%w: %d functions, imported and defined, the limit is %d", ErrLimit, m.shape.functions, maxFunctions)
			}
			m.importedGlobal = globals
			m.memories += memories
		case sectionMemory:
			pr := &reader{b: payload}
			m.memories += pr.u32()
		case sectionGlobal:
			pr := &reader{b: payload}
			m.definedGlobal = pr.u32()
			if pr.err != nil {
				return nil, pr.err
			}
			if n := uint64(m.importedGlobal) + uint64(m.definedGlobal); n > maxGlobals {
				return nil, fmt.Errorf("%w: %d globals, imported and defined, the limit is %d", ErrLimit, n, maxGlobals)
			}
		case sectionExport:
			if err := checkExports(payload, &m.shape); err != nil {
				return nil, err
			}
		case sectionStart:
			pr := &reader{b: payload}
			m.start, m.hasStart = pr.u32(), true
			continue // replaced by the StartExportName export
		}
		m.sections = append(m.sections, section{id, payload})
	}
	return m, r.err
}

// countImports counts the imported globals, memories and functions.
// Imported tables count against the table limits; wazero's host modules
// export none, so such a module cannot be instantiated anyway.
func countImports(payload []byte, sh *shape) (globals, memories uint32, funcs uint64, err error) {
	r := &reader{b: payload}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		r.name()
		r.name()
		switch kind := r.byte(); kind {
		case importFunc:
			r.u32()
			funcs++
		case importTable:
			r.valueType()
			lo, _ := r.tableLimits(uint32(sh.tables))
			sh.countTable(r, lo, fmt.Sprintf("imported table %d", sh.tables))
		case importMemory:
			r.limits()
			memories++
		case importGlobal:
			r.valueType()
			r.byte()
			globals++
		case importTag:
			r.byte()
			r.u32()
		default:
			r.fail("unknown import kind %d", kind)
		}
	}
	return globals, memories, funcs, r.err
}

// checkExports bounds the exports and refuses the names rpchost reserves.
func checkExports(payload []byte, sh *shape) error {
	r := &reader{b: payload}
	n := r.count()
	sh.exports = uint64(n)
	r.within(uint64(n), maxExports, "exports")
	for ; n > 0 && r.err == nil; n-- {
		if name := r.name(); name == ExportName || name == StartExportName {
			return fmt.Errorf("%w: the module already exports %q, a name rpchost reserves", ErrMalformed, name)
		}
		r.byte()
		r.u32()
	}
	return r.err
}

// limits reads a table's or memory's limits: a flags byte, the minimum
// and, when flag bit 0 is set, the maximum (64-bit for memory64).
func (r *reader) limits() (lo, hi uint64, hasMax bool) {
	flags := r.byte()
	lo = r.leb(10)
	if hasMax = flags&1 != 0; hasMax {
		hi = r.leb(10)
	}
	return lo, hi, hasMax
}

// valueType skips a value type: one byte, or a reference type with a heap
// type index (function references).
func (r *reader) valueType() {
	if t := r.byte(); t == 0x63 || t == 0x64 {
		r.skipLEB(5)
	}
}

// rewrite serializes the module with the globals, the flag's export, a
// memory if it had none, and the checks added, dropping the sections that
// point into the code by offset.
func (m *module) rewrite() ([]byte, error) {
	base := m.importedGlobal + m.definedGlobal
	g := globals{flag: base, fuel: base + 1, size: base + 2, hostFuncs: m.importedFuncs()}
	out := make([]byte, 0, len(magic)+sumPayloads(m.sections)*11/10+64)
	out = append(out, magic...)
	addedMemory, addedGlobal, addedExport := m.memories > 0, false, false
	insertMissing := func(before byte) {
		if !addedMemory && sectionRank[before] > sectionRank[sectionMemory] {
			out = appendSection(out, sectionMemory, []byte{1, 0, 0}) // (memory 0)
			addedMemory = true
		}
		if !addedGlobal && sectionRank[before] > sectionRank[sectionGlobal] {
			out = appendSection(out, sectionGlobal, appendGlobals(appendU32(nil, addedGlobals)))
			addedGlobal = true
		}
		if !addedExport && sectionRank[before] > sectionRank[sectionExport] {
			out = appendSection(out, sectionExport, m.appendExports(appendU32(nil, m.addedExports()), g.flag))
			addedExport = true
		}
	}
	for _, s := range m.sections {
		if s.id != sectionCustom {
			insertMissing(s.id)
		}
		switch s.id {
		case sectionCustom:
			if pointsIntoCode(s.payload) {
				continue
			}
			out = appendSection(out, s.id, s.payload)
		case sectionGlobal:
			out = appendSection(out, s.id, appendGlobals(recount(s.payload, addedGlobals)))
			addedGlobal = true
		case sectionMemory:
			if !addedMemory {
				// A memory section declaring no memory: the one the
				// globals need goes in its place, not in a second section.
				out = appendSection(out, sectionMemory, []byte{1, 0, 0})
				addedMemory = true
				continue
			}
			out = appendSection(out, s.id, s.payload)
		case sectionTable:
			r := &reader{b: s.payload} // checked by parseModule
			out = appendSection(out, s.id, r.tableSection(&shape{}, make([]byte, 0, len(s.payload)+8)))
		case sectionExport:
			out = appendSection(out, s.id, m.appendExports(recount(s.payload, m.addedExports()), g.flag))
			addedExport = true
		case sectionCode:
			code, err := instrumentCode(s.payload, g)
			if err != nil {
				return nil, err
			}
			out = appendSection(out, s.id, code)
		default:
			out = appendSection(out, s.id, s.payload)
		}
	}
	insertMissing(11) // the data section ranks last
	return out, nil
}

func sumPayloads(ss []section) int {
	n := 0
	for _, s := range ss {
		n += len(s.payload)
	}
	return n
}

// recount returns a vector's payload with its element count raised by
// more, ready for that many elements to be appended.
func recount(payload []byte, more uint32) []byte {
	r := &reader{b: payload}
	n := r.u32() // parseModule read it once already
	return append(appendU32(make([]byte, 0, len(payload)+32), n+more), payload[r.pos:]...)
}

// appendGlobals appends the flag, (global (mut i32) (i32.const 0)), the
// fuel, (global (mut i32) (i32.const SafepointInterval)), and the size
// scratch, (global (mut i32) (i32.const 0)).
func appendGlobals(b []byte) []byte {
	b = append(b, valueI32, mutable, opI32Const, 0, opEnd)
	b = append(b, valueI32, mutable, opI32Const)
	b = appendS32(b, SafepointInterval)
	b = append(b, opEnd)
	return append(b, valueI32, mutable, opI32Const, 0, opEnd)
}

// addedExports counts the exports rewrite adds: the flag, and the start
// function if there is one.
func (m *module) addedExports() uint32 {
	if m.hasStart {
		return 2
	}
	return 1
}

// appendExports appends the flag's export and, for a module that had a
// start section, the start function's.
func (m *module) appendExports(b []byte, flag uint32) []byte {
	b = appendName(b, ExportName)
	b = append(b, exportGlobal)
	b = appendU32(b, flag)
	if m.hasStart {
		b = appendName(b, StartExportName)
		b = append(b, exportFunc)
		b = appendU32(b, m.start)
	}
	return b
}

func appendSection(b []byte, id byte, payload []byte) []byte {
	b = append(b, id)
	b = appendU32(b, uint32(len(payload)))
	return append(b, payload...)
}

// pointsIntoCode reports custom sections that address code by byte offset:
// DWARF, source maps and code metadata would be wrong once checks move it.
func pointsIntoCode(payload []byte) bool {
	r := &reader{b: payload}
	name := r.name()
	if r.err != nil {
		return false
	}
	return strings.HasPrefix(name, ".debug_") || name == "sourceMappingURL" ||
		name == "external_debug_info" || strings.HasPrefix(name, "metadata.code.")
}
