package interrupt

import (
	"errors"
	"fmt"
)

// ErrLimit reports a module over one of the structural limits below: it
// would take wazero too much memory or time to compile, so it is refused
// before wazero sees it. The message names the limit and the module's figure.
var ErrLimit = errors.New("module over a structural limit")

// Structural limits. What drives wazero v1.12's compile memory and time was
// measured on small generated modules (RATIONALE.md, "Structural limits"):
// each limit keeps the worst module that passes within a bounded compile,
// and sits far above what real modules use: the project's Go guests (2.5 MB)
// use under a tenth of each.
const (
	// maxLocals bounds the locals one function declares, as browsers do
	// (V8 and SpiderMonkey allow 50,000): wazero allocates them up front.
	maxLocals = 50_000
	// maxLocalsTotal bounds the locals of all functions together: wazero
	// keeps about 8 bytes and spends about 60 ns per local while compiling
	// (4,000 × 50,000 locals: +1.5 GB).
	maxLocalsTotal = 1_000_000
	// maxDepth bounds how deeply blocks nest in one function, and
	// maxNesting the sum over functions of the square of their depth:
	// wazero's compile time grows with the square of the depth (one
	// function 10,000 deep, or 100 functions 1,000 deep: about a second;
	// 20,000 deep: 7.7 s; 70,000: 45 s). Go's compiler nests a block per
	// call site, so Go functions are a few hundred deep.
	maxDepth   = 10_000
	maxNesting = 100_000_000
	// maxFunctions bounds functions, imported and defined: each costs
	// wazero about 75 µs and 1 KB to compile, empty or not.
	maxFunctions = 50_000
	// maxBodyBytes bounds one function body: wazero holds about 55 bytes
	// per byte of the function it compiles (1 MiB: +57 MB, 0.4 s).
	maxBodyBytes = 1 << 20
	// maxExports bounds the exports: each exported function becomes a
	// method, listed, sorted and logged.
	maxExports = 10_000
	// maxGlobals bounds globals, imported and defined: every instance
	// holds about 150 bytes per global outside its linear memory.
	maxGlobals = 10_000
	// maxTypeArity is V8's bound on one function type's parameters plus
	// results; maxTypeArityTotal bounds them over all types, which wazero
	// copies for every type (10,000 types of ~500 parameters: +470 MB, 5.6 s).
	maxTypeArity      = 2_000
	maxTypeArityTotal = 100_000
	// maxTypes bounds the function types: wazero keeps about 440 bytes
	// per type, empty or not (5,000,000 empty types: +2.2 GB, 38 s).
	// Go guests declare about 15.
	maxTypes = 10_000
	// maxTableSize bounds a table's minimum, and becomes the maximum of
	// every table the module defines, so that table.grow past it fails
	// (returns -1) as the spec allows: every instance holds 8 bytes per
	// entry, kept between calls (a 100,000,000-entry table: 800 MB per
	// instance). Go guests' one table has 4,096 entries plus one per
	// function whose address is taken (under 6,000 in the shipped
	// plugins); 100,000 leaves room for a Go guest at maxFunctions.
	maxTableSize = 100_000
	// maxTables bounds the tables, imported and defined: Go guests use one.
	maxTables = 4
	// maxElementSegments and maxElements bound the element segments and
	// the elements in all of them: wazero keeps a copy of every segment
	// per instance (2,000,000 empty passive segments: +230 MB). Go guests
	// have one segment of under 2,000 elements.
	maxElementSegments = 1_000
	maxElements        = 2 * maxTableSize
	// maxDataSegments bounds the data segments: wazero keeps about 100
	// bytes per segment in the compiled module and a 24-byte slice per
	// instance (2,000,000 empty segments: +196 MB). Go's linker splits
	// the data at runs of zeros: the shipped plugins have about 30,000.
	maxDataSegments = 300_000
)

// shape counts what the limits bound across sections.
type shape struct {
	functions uint64
	locals    uint64
	typeArity uint64
	exports   uint64
	nesting   uint64 // the sum over functions of the square of their depth
	types     uint64
	tables    uint64 // imported and defined
	elemSegs  uint64
	elements  uint64 // in all element segments
	dataSegs  uint64
	// The largest table minimum, for the tests' margins.
	biggestTable uint64
	// The largest figures of one function, for the tests' margins.
	deepest, biggestBody, mostLocals uint64
}

// within fails with ErrLimit when n is over limit.
func (r *reader) within(n, limit uint64, what string) {
	if r.err == nil && n > limit {
		r.err = fmt.Errorf("%w: %d %s, the limit is %d", ErrLimit, n, what, limit)
	}
}

// codeSection walks every function body: its locals, its size and how
// deeply its blocks nest.
func (r *reader) codeSection(sh *shape) {
	n := r.count()
	for i := uint32(0); i < n && r.err == nil; i++ {
		size := r.u32()
		r.within(uint64(size), maxBodyBytes, fmt.Sprintf("bytes in function body %d", i))
		body := &reader{b: r.bytes(int(size))}
		if r.err != nil {
			return
		}
		locals := body.locals()
		sh.locals += locals
		sh.mostLocals = max(sh.mostLocals, locals)
		sh.biggestBody = max(sh.biggestBody, uint64(size))
		body.within(sh.locals, maxLocalsTotal, "locals in all functions")
		depth, deepest := 0, 0
		for !body.done() {
			switch body.instruction() {
			case opBlock, opLoop, opIf, opTry, opTryTable:
				depth++
				deepest = max(deepest, depth)
			case opEnd, opDelegate:
				depth--
			}
		}
		sh.deepest = max(sh.deepest, uint64(deepest))
		sh.nesting += uint64(deepest) * uint64(deepest)
		body.within(uint64(deepest), maxDepth, fmt.Sprintf("levels of nested blocks in function body %d", i))
		body.within(sh.nesting, maxNesting, "for the sum over functions of their nesting depth squared")
		if body.err != nil {
			r.err = fmt.Errorf("function body %d: %w", i, body.err)
		}
	}
}
