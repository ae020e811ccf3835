package interrupt

import (
	"bytes"
	"fmt"
)

// Memory is a module's first linear memory as its bytes declare it, in
// 64 KiB pages. A compiled module shows only what the runtime's memory
// limit made of it (a larger maximum becomes the limit), so what the
// author wrote is read here, with Instrument's reader.
type Memory struct {
	Declared bool // false: the module has no memory
	Imported bool
	Min, Max uint64
	HasMax   bool
}

// DeclaredMemory reads the memory a module imports or defines. It reads
// the import and memory sections only; a module Instrument would refuse
// for other reasons may still have its memory read.
func DeclaredMemory(module []byte) (Memory, error) {
	if !bytes.HasPrefix(module, magic) {
		return Memory{}, fmt.Errorf("%w: not a wasm 1.0 binary module", ErrMalformed)
	}
	r := &reader{b: module, pos: len(magic)}
	for !r.done() {
		id := r.byte()
		payload := r.bytes(int(r.u32()))
		if r.err != nil {
			return Memory{}, r.err
		}
		pr := &reader{b: payload}
		switch id {
		case sectionImport:
			for n := pr.count(); n > 0 && pr.err == nil; n-- {
				pr.name()
				pr.name()
				switch kind := pr.byte(); kind {
				case importFunc:
					pr.u32()
				case importTable:
					pr.valueType()
					pr.limits()
				case importMemory:
					lo, hi, hasMax := pr.limits()
					if pr.err == nil {
						return Memory{Declared: true, Imported: true, Min: lo, Max: hi, HasMax: hasMax}, nil
					}
				case importGlobal:
					pr.valueType()
					pr.byte()
				case importTag:
					pr.byte()
					pr.u32()
				default:
					pr.fail("unknown import kind %d", kind)
				}
			}
		case sectionMemory:
			if pr.count() > 0 {
				lo, hi, hasMax := pr.limits()
				if pr.err == nil {
					return Memory{Declared: true, Min: lo, Max: hi, HasMax: hasMax}, nil
				}
			}
		}
		if pr.err != nil {
			return Memory{}, fmt.Errorf("section %d: %w", id, pr.err)
		}
	}
	return Memory{}, r.err
}
