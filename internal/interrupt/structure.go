package interrupt

import "fmt"

// checkStructure walks a section far enough to check that no count or
// length it declares exceeds the bytes that follow. wazero v1.12 allocates
// a slice as long as a declared count before reading the elements, so a
// few bytes claiming 4 billion imports would end the whole server with a
// fatal "out of memory"; refused here, that module is just a failed load.
// It also checks the section against the structural limits (limits.go),
// counting in sh what the limits count across sections.
func checkStructure(id byte, payload []byte, sh *shape) error {
	r := &reader{b: payload}
	switch id {
	case 0:
		r.customSection()
	case 1: // type
		n := r.count()
		sh.types = uint64(n)
		r.within(sh.types, maxTypes, "function types")
		for ; n > 0 && r.err == nil; n-- {
			if form := r.byte(); form != 0x60 {
				r.fail("type form 0x%02x is not a function type", form)
			}
			params := r.valueTypes()
			results := r.valueTypes()
			r.within(params+results, maxTypeArity, "parameters and results in one function type")
			sh.typeArity += params + results
			r.within(sh.typeArity, maxTypeArityTotal, "parameters and results in all function types")
		}
	case 3: // function
		// wazero v1.12 validates a body's call before the callee's type
		// index, and indexes its type section with it: a call to a later
		// function whose type does not exist panicked the whole server.
		for n := r.count(); n > 0 && r.err == nil; n-- {
			if t := r.u32(); r.err == nil && uint64(t) >= sh.types {
				r.fail("function %d has type %d, the module declares %d", sh.functions, t, sh.types)
			}
			sh.functions++
		}
		r.within(sh.functions, maxFunctions, "functions, imported and defined")
	case 10:
		r.codeSection(sh)
	case 4:
		r.tableSection(sh, nil)
	case 5: // memory
		for n := r.count(); n > 0 && r.err == nil; n-- {
			r.limits()
		}
	case 6: // global
		for n := r.count(); n > 0 && r.err == nil; n-- {
			r.valueType()
			r.byte()
			r.constExpr()
		}
	case 8: // start
		r.u32()
	case 12: // data count
		if len(payload) == 0 {
			return nil // wazero reads an empty data count section as none
		}
		r.within(uint64(r.u32()), maxDataSegments, "data segments (data count section)")
	case 9:
		r.elementSection(sh)
	case 11:
		r.dataSection(sh)
	case 13: // tag
		for n := r.count(); n > 0 && r.err == nil; n-- {
			r.byte()
			r.u32()
		}
	default:
		// Imports and exports are read in full where they are used.
		return nil
	}
	if r.err == nil && r.pos != len(payload) {
		r.fail("section %d has %d bytes past its end", id, len(payload)-r.pos)
	}
	return r.err
}

// count reads a vector's length, refusing one longer than the bytes left:
// every element takes at least a byte.
func (r *reader) count() uint32 {
	n := r.u32()
	if r.err == nil && int64(n) > int64(len(r.b)-r.pos) {
		r.failWith(errTooLarge, "a vector of %d elements in %d bytes", n, len(r.b)-r.pos)
		return 0
	}
	return n
}

func (r *reader) valueTypes() uint64 {
	n := r.count()
	for i := n; i > 0 && r.err == nil; i-- {
		r.valueType()
	}
	return uint64(n)
}

// constExpr skips a constant expression: instructions up to end.
func (r *reader) constExpr() {
	for r.err == nil {
		if r.instruction() == opEnd {
			return
		}
	}
}

// locals reads a function's local declarations, bounding their total,
// which it returns.
func (r *reader) locals() uint64 {
	total := uint64(0)
	for n := r.count(); n > 0 && r.err == nil; n-- {
		total += uint64(r.u32())
		r.valueType()
		if total > maxLocals {
			r.failWith(errTooLarge, "a function declares more than %d locals", maxLocals)
		}
	}
	return total
}

func (r *reader) elementSection(sh *shape) {
	n := r.count()
	sh.elemSegs = uint64(n)
	r.within(sh.elemSegs, maxElementSegments, "element segments")
	for ; n > 0 && r.err == nil; n-- {
		flags := r.u32()
		if flags > 7 {
			r.fail("element segment flags %d", flags)
			return
		}
		if flags&3 == 2 { // an explicit table index
			r.u32()
		}
		if flags&1 == 0 { // active: an offset expression
			r.constExpr()
		}
		if flags&3 != 0 { // an element kind or a reference type
			r.valueType()
		}
		m := r.count()
		sh.elements += uint64(m)
		r.within(sh.elements, maxElements, "elements in all element segments")
		for ; m > 0 && r.err == nil; m-- {
			if flags&4 != 0 {
				r.constExpr()
			} else {
				r.u32()
			}
		}
	}
}

func (r *reader) dataSection(sh *shape) {
	n := r.count()
	sh.dataSegs = uint64(n)
	r.within(sh.dataSegs, maxDataSegments, "data segments")
	for ; n > 0 && r.err == nil; n-- {
		switch flags := r.u32(); flags {
		case 0:
			r.constExpr()
		case 1:
		case 2:
			r.u32()
			r.constExpr()
		default:
			r.fail("data segment flags %d", flags)
		}
		r.bytes(int(r.u32()))
	}
}

// customSection checks the name section's maps; other custom sections are
// opaque bytes.
func (r *reader) customSection() {
	if r.name() != "name" || r.err != nil {
		r.pos = len(r.b)
		return
	}
	for !r.done() {
		id := r.byte()
		sub := &reader{b: r.bytes(int(r.u32()))}
		switch id {
		case 1: // function names
			sub.nameMap()
		case 2: // local names
			for n := sub.count(); n > 0 && sub.err == nil; n-- {
				sub.u32()
				sub.nameMap()
			}
		}
		if sub.err != nil && r.err == nil {
			r.err = fmt.Errorf("name section: %w", sub.err)
		}
	}
}

func (r *reader) nameMap() {
	for n := r.count(); n > 0 && r.err == nil; n-- {
		r.u32()
		r.name()
	}
}

// tableSection checks every table against maxTables and maxTableSize and,
// when out is not nil, appends to it the section with every table's
// maximum set to at most maxTableSize, so that table.grow past the limit
// fails (returns -1) instead of growing the instance.
func (r *reader) tableSection(sh *shape, out []byte) []byte {
	n := r.count()
	out = appendU32(out, n)
	for i := uint32(0); i < n && r.err == nil; i++ {
		refType := r.pos
		if r.byte() == 0x40 {
			r.fail("table %d has an initializer expression", i)
			return nil
		}
		r.pos = refType
		r.valueType()
		out = append(out, r.b[refType:r.pos]...)
		lo, hi := r.tableLimits(i)
		sh.countTable(r, lo, fmt.Sprintf("table %d", i))
		out = appendU32(append(out, 1), lo)
		out = appendU32(out, min(hi, maxTableSize))
	}
	return out
}

// tableLimits reads a table's limits, its maximum the largest a u32 holds
// when it declares none. Only 32-bit tables are known to wazero.
func (r *reader) tableLimits(i uint32) (lo, hi uint32) {
	flags := r.byte()
	if flags > 1 {
		r.fail("table %d has limits flags 0x%02x", i, flags)
		return 0, 0
	}
	lo, hi = r.u32(), 1<<32-1
	if flags&1 != 0 {
		hi = r.u32()
	}
	return lo, hi
}

// countTable counts a table, imported or defined, against maxTables and
// its minimum against maxTableSize.
func (sh *shape) countTable(r *reader, lo uint32, what string) {
	sh.tables++
	sh.biggestTable = max(sh.biggestTable, uint64(lo))
	r.within(sh.tables, maxTables, "tables, imported and defined")
	r.within(uint64(lo), maxTableSize, "entries in the minimum of "+what)
}
