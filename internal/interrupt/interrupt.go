// Package interrupt makes a wasm module stoppable from outside at almost no
// cost: Instrument adds an exported mutable global, the interrupt flag, and
// fuel: the entry of every function and the header of every loop charge the
// instructions they guard, bulk instructions charge their size, and when
// SafepointInterval units are spent the guest leaves machine code for Go
// and then traps if the host has set the flag. After every call that may
// reach the host the flag is tested too.
//
// wazero's own way to stop a running call, RuntimeConfig.WithCloseOnContextDone,
// leaves machine code for Go at every loop iteration and starts a goroutine
// for every call (wazero v1.12); on a tiny call that is most of its cost. The
// check added here is a decrement and a branch that stay in machine code,
// like wasmtime's fuel. Every path that runs forever passes a loop header
// or a function entry, so a set flag stops it within one interval, which
// the weights keep to a few milliseconds (TestWorstTimeBetweenExits).
//
// The periodic exit matters as much as the flag: Go cannot preempt a
// goroutine inside wazero's machine code, so a guest looping without ever
// returning to Go would hold up every stop-the-world pause of the garbage
// collector, and with it every goroutine, the watchdog meant to stop it
// included. The exit is a memory.grow of 0 pages, which wazero runs in Go;
// a module without a memory gets an empty one for it.
//
// Function, global, type and local indices are unchanged, so the name
// section stays valid; code offsets move, so DWARF and other sections that
// point into the code are dropped.
package interrupt

import (
	"errors"
	"fmt"
)

// ExportName is the export under which an instrumented module exposes its
// interrupt flag, an i32 global: 0 runs, anything else traps (unreachable)
// at the next function entry or loop header.
const ExportName = "rpchost:interrupt"

// ErrMalformed reports a module Instrument cannot read: it is not wasm, or
// uses an instruction this package does not know. Such a module is refused
// rather than run without a way to stop it.
var ErrMalformed = errors.New("malformed or unsupported wasm")

// Instrument returns a copy of module with the interrupt flag and checks
// added. The input is not modified.
func Instrument(module []byte) ([]byte, error) {
	m, err := parseModule(module)
	if err != nil {
		return nil, fmt.Errorf("instrument: %w", err)
	}
	out, err := m.rewrite()
	if err != nil {
		return nil, fmt.Errorf("instrument: %w", err)
	}
	return out, nil
}

// SafepointInterval is how much fuel runs between two exits to Go. A fuel
// unit is about one instruction (loadWeight for a memory access or an
// indirect call, 1<<bytesShift bytes of a bulk memory instruction,
// 1<<elementsShift elements of a bulk table one), so that an interval is
// bounded in time, not in loop iterations: often enough that a pause for
// the garbage collector or a set flag waits a few milliseconds at worst,
// rarely enough that the exit (~40 ns) costs about 1% of a Go guest,
// whose checks are overcharged (see RATIONALE.md). The figures behind
// these numbers are in RATIONALE.md, TestWorstTimeBetweenExits and
// TestFuelOfGoPluginCalls.
const SafepointInterval = 1 << 17

const (
	// loadWeight charges an instruction that may wait on memory.
	loadWeight = 4
	// bytesShift turns the byte count of memory.fill, memory.copy and
	// memory.init into fuel.
	bytesShift = 6
	// elementsShift turns the element count of table.fill, table.copy,
	// table.init and table.grow into fuel; at least 1, so that a count
	// read as unsigned becomes a non-negative i32.
	elementsShift = 1
	// maxWeight caps one check's charge, far above SafepointInterval,
	// so that subtracting it from the fuel cannot overflow an i32.
	maxWeight = 1 << 30
)

// appendCheck appends what runs at every function entry and loop header,
// charging weight, the fuel of the code it guards:
//
//	global.get $fuel  i32.const weight  i32.sub  global.set $fuel
//	global.get $fuel  i32.const 1  i32.lt_s
//	if  exit  end
//
// It leaves the operand stack as it found it, and being complete blocks it
// changes no branch depth around it.
func appendCheck(b []byte, g globals, weight int64) []byte {
	b = append(b, opGlobalGet)
	b = appendU32(b, g.fuel)
	b = append(b, opI32Const)
	b = appendS32(b, int32(min(max(weight, 1), maxWeight)))
	b = append(b, opI32Sub, opGlobalSet)
	b = appendU32(b, g.fuel)
	return appendExitIfEmpty(b, g)
}

// appendBulkCharge appends what runs before a bulk instruction, whose last
// operand, on top of the stack, is its size: it charges size>>shift and
// leaves the size where it was.
//
//	global.set $size  global.get $size
//	global.get $fuel  global.get $size  i32.const shift  i32.shr_u  i32.sub
//	global.set $fuel
//	global.get $fuel  i32.const 1  i32.lt_s
//	if  exit  end
func appendBulkCharge(b []byte, g globals, shift byte) []byte {
	b = append(b, opGlobalSet)
	b = appendU32(b, g.size)
	b = append(b, opGlobalGet)
	b = appendU32(b, g.size)
	b = append(b, opGlobalGet)
	b = appendU32(b, g.fuel)
	b = append(b, opGlobalGet)
	b = appendU32(b, g.size)
	b = append(b, opI32Const, shift, opI32ShrU, opI32Sub, opGlobalSet)
	b = appendU32(b, g.fuel)
	return appendExitIfEmpty(b, g)
}

// appendExitIfEmpty appends the test of the fuel and, when it has run out,
// the exit:
//
//	global.get $fuel  i32.const 1  i32.lt_s
//	if
//	  i32.const 0  memory.grow 0  drop   ;; an exit to Go: a safepoint
//	  i32.const SafepointInterval  global.set $fuel
//	  global.get $flag
//	  if  unreachable  end
//	end
func appendExitIfEmpty(b []byte, g globals) []byte {
	b = append(b, opGlobalGet)
	b = appendU32(b, g.fuel)
	b = append(b, opI32Const, 1, opI32LtS, opIf, blockTypeEmpty,
		opI32Const, 0, opMemoryGrow, 0, opDrop, opI32Const)
	b = appendS32(b, SafepointInterval)
	b = append(b, opGlobalSet)
	b = appendU32(b, g.fuel)
	b = append(b, opGlobalGet)
	b = appendU32(b, g.flag)
	return append(b, opIf, blockTypeEmpty, opUnreachable, opEnd, opEnd)
}

// appendFlagTest appends what runs after a call that may have been served
// by the host: the host call was itself a return to Go, so only the flag
// is tested, and a loop around a slow host function stops after the call
// during which the flag was set, whatever the loop's fuel.
//
//	global.get $flag  if  unreachable  end
func appendFlagTest(b []byte, g globals) []byte {
	b = append(b, opGlobalGet)
	b = appendU32(b, g.flag)
	return append(b, opIf, blockTypeEmpty, opUnreachable, opEnd)
}

// globals are the indices of the globals Instrument adds (flag, fuel and
// size, a scratch for the bulk charge), and hostFuncs is the number of
// imported functions, whose indices come first.
type globals struct{ flag, fuel, size, hostFuncs uint32 }

// addedGlobals is how many globals Instrument adds.
const addedGlobals = 3

// importedFuncs counts the module's imported functions.
func (m *module) importedFuncs() uint32 {
	var n uint32
	for _, s := range m.sections {
		if s.id != sectionImport {
			continue
		}
		r := &reader{b: s.payload}
		for k := r.count(); k > 0 && r.err == nil; k-- {
			r.name()
			r.name()
			switch kind := r.byte(); kind {
			case importFunc:
				r.u32()
				n++
			case importTable:
				r.valueType()
				r.limits()
			case importMemory:
				r.limits()
			case importGlobal:
				r.valueType()
				r.byte()
			case importTag:
				r.byte()
				r.u32()
			}
		}
	}
	return n
}
