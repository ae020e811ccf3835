// Package interrupt makes a wasm module stoppable from outside at almost no
// cost: Instrument adds an exported mutable global, the interrupt flag, and
// at the entry of every function and the header of every loop a countdown
// that, every SafepointInterval passes, leaves machine code for Go and then
// traps if the host has set the flag.
//
// wazero's own way to stop a running call, RuntimeConfig.WithCloseOnContextDone,
// leaves machine code for Go at every loop iteration and starts a goroutine
// for every call (wazero v1.12); on a tiny call that is most of its cost. The
// check added here is a decrement and a branch that stay in machine code,
// like wasmtime's fuel. Every path that runs forever passes a loop header
// or a function entry, so a set flag stops it within one interval.
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

// SafepointInterval is how many function entries and loop iterations run
// between two exits to Go: often enough that a pause for the garbage
// collector waits microseconds, rarely enough that the exit (~0.1 µs) costs
// under 1% of the tightest loop.
const SafepointInterval = 1 << 14

// appendCheck appends what runs at every function entry and loop header:
//
//	global.get $fuel  i32.const 1  i32.sub  global.set $fuel
//	global.get $fuel  i32.eqz
//	if
//	  i32.const 0  memory.grow 0  drop   ;; an exit to Go: a safepoint
//	  i32.const SafepointInterval  global.set $fuel
//	  global.get $flag
//	  if  unreachable  end
//	end
//
// It leaves the operand stack as it found it, and being complete blocks it
// changes no branch depth around it.
func appendCheck(b []byte, g globals) []byte {
	b = append(b, opGlobalGet)
	b = appendU32(b, g.fuel)
	b = append(b, opI32Const, 1, opI32Sub, opGlobalSet)
	b = appendU32(b, g.fuel)
	b = append(b, opGlobalGet)
	b = appendU32(b, g.fuel)
	b = append(b, opI32Eqz, opIf, blockTypeEmpty,
		opI32Const, 0, opMemoryGrow, 0, opDrop, opI32Const)
	b = appendS32(b, SafepointInterval)
	b = append(b, opGlobalSet)
	b = appendU32(b, g.fuel)
	b = append(b, opGlobalGet)
	b = appendU32(b, g.flag)
	return append(b, opIf, blockTypeEmpty, opUnreachable, opEnd, opEnd)
}

// globals are the indices of the two globals Instrument adds.
type globals struct{ flag, fuel uint32 }
