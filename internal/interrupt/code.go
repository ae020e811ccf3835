package interrupt

import (
	"fmt"
	"slices"
)

// Opcodes this package reads or writes; the rest are only skipped.
const (
	opUnreachable        = 0x00
	opBlock              = 0x02
	opLoop               = 0x03
	opIf                 = 0x04
	opElse               = 0x05
	opTry                = 0x06
	opCatch              = 0x07
	opThrow              = 0x08
	opRethrow            = 0x09
	opThrowRef           = 0x0a
	opEnd                = 0x0b
	opBr                 = 0x0c
	opBrIf               = 0x0d
	opBrTable            = 0x0e
	opReturn             = 0x0f
	opCall               = 0x10
	opCallIndirect       = 0x11
	opReturnCall         = 0x12
	opReturnCallIndirect = 0x13
	opCallRef            = 0x14
	opReturnCallRef      = 0x15
	opDelegate           = 0x18
	opCatchAll           = 0x19
	opDrop               = 0x1a
	opTryTable           = 0x1f
	opRefAsNonNull       = 0xd4 // with br_on_null and br_on_non_null: function references
	opBrOnNull           = 0xd5
	opBrOnNonNull        = 0xd6
	opGlobalGet          = 0x23
	opGlobalSet          = 0x24
	opMemoryGrow         = 0x40
	opI32Const           = 0x41
	opI32LtS             = 0x48
	opI32Sub             = 0x6b
	opI32ShrU            = 0x76
	blockTypeEmpty       = 0x40
	prefixMisc           = 0xfc
	prefixSIMD           = 0xfd
	prefixThreads        = 0xfe
)

// instrumentCode rewrites the code section: a check at the start of every
// body and after every loop's block type, a charge before every bulk
// instruction and a flag test after every call that may reach the host;
// everything else is copied as is.
func instrumentCode(payload []byte, g globals) ([]byte, error) {
	r := &reader{b: payload}
	n := r.count()
	out := appendU32(make([]byte, 0, len(payload)+len(payload)/8), n)
	var body []byte
	var sc scratch
	for i := uint32(0); i < n && r.err == nil; i++ {
		size := r.u32()
		in := r.bytes(int(size))
		if r.err != nil {
			break
		}
		var err error
		if body, err = instrumentBody(body[:0], in, g, &sc); err != nil {
			return nil, fmt.Errorf("function body %d: %w", i, err)
		}
		out = appendU32(out, uint32(len(body)))
		out = append(out, body...)
	}
	if r.err == nil && r.pos != len(payload) {
		r.fail("%d bytes after the last function body", len(payload)-r.pos)
	}
	return out, r.err
}

// site is a place in a body where instrumentBody inserts code.
type site struct {
	pos   int // offset in the body
	kind  siteKind
	check int // siteCheck: the check's ordinal; siteBulk: the shift
}

type siteKind byte

const (
	siteCheck    siteKind = iota // a weighted check (function entry, loop header)
	siteBulk                     // a charge by size before a bulk instruction
	siteHostCall                 // a flag test after a call that may reach the host
)

// scratch is reused from one body to the next.
type scratch struct {
	sites   []site
	instrs  []instr
	blocks  []block
	frames  []int32 // the open blocks, innermost last
	targets []int32 // the labels of every br_table, one after another
	loops   []int32 // per check ordinal, the index of its loop instruction
	longest []int64
}

// instr is what the weighing needs of one instruction.
type instr struct {
	op     byte
	weight uint8 // instructionWeight
	// to is a branch's or if's block (noBlock: a loop, whose header is a
	// check), or the first of a br_table's n labels in scratch.targets.
	to, n int32
}

// block is a block, if or loop in a body: where its end and else are.
type block struct{ end, els int32 }

const noBlock = -1

// instrumentBody copies one function body with its checks; see findSites
// for what each check charges.
func instrumentBody(out, in []byte, g globals, sc *scratch) ([]byte, error) {
	sites, weights, err := findSites(in, g, sc)
	if err != nil {
		return nil, err
	}
	copied := 0
	for _, s := range sites {
		out = append(out, in[copied:s.pos]...)
		copied = s.pos
		switch s.kind {
		case siteCheck:
			out = appendCheck(out, g, weights[s.check])
		case siteBulk:
			out = appendBulkCharge(out, g, byte(s.check))
		case siteHostCall:
			out = appendFlagTest(out, g)
		}
	}
	return append(out, in[copied:]...), nil
}

// findSites reads a body (locals included) and returns where code goes in,
// and the weight of each check by ordinal (0: the entry, then the loops in
// order).
//
// A check's weight bounds the fuel of the instructions that can run after
// it before its function passes another check. Wasm is structured: from a
// check, code only moves forward until it reaches a loop header (a check),
// returns, or calls a function (whose checks charge the callee, after which
// the path goes on); it can jump over a loop but never into one except
// through its header. So the weight is the longest forward path from the
// check, following every branch (br_if, br_table, if and else) to where it
// lands and stopping at loop headers and returns: one pass records the
// structure, a second, backwards, computes the longest path from every
// instruction. Bodies using exception handling, whose throws land in
// catch clauses from anywhere, charge every check the whole body instead.
func findSites(in []byte, g globals, sc *scratch) (sites []site, weights []int64, err error) {
	r := &reader{b: in}
	r.locals()
	if r.err != nil {
		return nil, nil, r.err
	}
	sites = append(sc.sites[:0], site{pos: r.pos, kind: siteCheck})
	instrs := sc.instrs[:0]
	blocks := append(sc.blocks[:0], block{end: noBlock, els: noBlock}) // 0: the function
	frames := append(sc.frames[:0], 0)
	targets := sc.targets[:0]
	loops := append(sc.loops[:0], noBlock)
	var total int64
	exceptions := false
	// label is where a branch to depth lands: a block, or noBlock for a loop.
	label := func(depth uint32) int32 {
		if int(depth) >= len(frames) {
			return 0 // invalid; wazero refuses it
		}
		return frames[len(frames)-1-int(depth)]
	}
	for !r.done() {
		start := r.pos
		op := r.instruction()
		if r.err != nil {
			break
		}
		ins := instr{op: op, weight: uint8(instructionWeight(op))}
		total += int64(ins.weight)
		here := int32(len(instrs))
		imm := in[start+1 : r.pos]
		switch op {
		case opLoop:
			frames = append(frames, noBlock)
			sites = append(sites, site{pos: r.pos, kind: siteCheck, check: len(loops)})
			loops = append(loops, here)
		case opBlock, opIf:
			ins.to = int32(len(blocks))
			frames = append(frames, ins.to)
			blocks = append(blocks, block{end: noBlock, els: noBlock})
		case opElse:
			ins.to = frames[len(frames)-1]
			if ins.to > 0 {
				blocks[ins.to].els = here
			}
		case opEnd:
			if top := frames[len(frames)-1]; top > 0 || len(frames) == 1 {
				blocks[top].end = here
			}
			if len(frames) > 1 {
				frames = frames[:len(frames)-1]
			}
		case opBr, opBrIf:
			ins.to = label(branchDepth(imm))
		case opBrTable:
			tr := &reader{b: imm}
			ins.to = int32(len(targets))
			for n := tr.count(); n > 0 && tr.err == nil; n-- {
				targets = append(targets, label(tr.u32()))
			}
			targets = append(targets, label(tr.u32()))
			ins.n = int32(len(targets)) - ins.to
		case opTry, opCatch, opThrow, opRethrow, opThrowRef, opDelegate, opCatchAll, opTryTable, opRefAsNonNull, opBrOnNull, opBrOnNonNull:
			exceptions = true
			if op == opTry || op == opTryTable {
				frames = append(frames, 0) // branches to it: as far as the function's end
			}
		case opCall:
			if callee := (&reader{b: imm}).u32(); callee < g.hostFuncs {
				sites = append(sites, site{pos: r.pos, kind: siteHostCall})
			}
		case opCallIndirect, opCallRef: // the callee may be an import
			sites = append(sites, site{pos: r.pos, kind: siteHostCall})
		case prefixMisc:
			if shift, ok := bulkShift(imm); ok {
				sites = append(sites, site{pos: start, kind: siteBulk, check: shift})
			}
		}
		instrs = append(instrs, ins)
	}
	sc.sites, sc.instrs, sc.blocks, sc.frames, sc.targets, sc.loops = sites, instrs, blocks, frames, targets, loops
	if r.err != nil {
		return nil, nil, r.err
	}
	if len(in) == 0 || in[len(in)-1] != opEnd {
		return nil, nil, fmt.Errorf("%w: body does not end with end", ErrMalformed)
	}
	weights = make([]int64, len(loops))
	if exceptions {
		for k := range weights {
			weights[k] = total
		}
		return sites, weights, nil
	}
	longest := longestPaths(sc, instrs, blocks, targets)
	for k, i := range loops {
		// A loop's check follows its loop instruction; the entry's
		// (loops[0] is noBlock, -1) comes before the first instruction.
		weights[k] = longest[i+1]
	}
	return sites, weights, nil
}

// longestPaths returns, for every instruction, the fuel of the longest
// path from it to a loop header, a return or the function's end; the slot
// after the last instruction is 0. Every branch lands later in the body,
// so one pass from the end computes them all.
func longestPaths(sc *scratch, instrs []instr, blocks []block, targets []int32) []int64 {
	n := len(instrs)
	longest := slices.Grow(sc.longest[:0], n+1)[:n+1]
	clear(longest)
	sc.longest = longest
	// land is the path after a branch to block b: from its end, or none
	// from a loop's header (a check). A block with no end is invalid wasm,
	// which wazero refuses; its weight only has to be a number.
	land := func(b int32) int64 {
		if b == noBlock || b < 0 || int(b) >= len(blocks) || blocks[b].end == noBlock {
			return 0
		}
		return longest[blocks[b].end]
	}
	for i := n - 1; i >= 0; i-- {
		ins := instrs[i]
		var next int64
		switch ins.op {
		case opLoop, opReturn, opUnreachable, opReturnCall, opReturnCallIndirect, opReturnCallRef:
			// A loop's header is a check; the rest leave the function.
		case opBr, opElse: // else: the end of a then branch, to the if's end
			next = land(ins.to)
		case opBrIf:
			next = max(longest[i+1], land(ins.to))
		case opBrTable:
			for _, t := range targets[ins.to : ins.to+ins.n] {
				next = max(next, land(t))
			}
		case opIf:
			next = longest[i+1]
			if els := blocks[ins.to].els; els != noBlock {
				next = max(next, longest[els+1])
			} else {
				next = max(next, land(ins.to))
			}
		default:
			next = longest[i+1]
		}
		longest[i] = int64(ins.weight) + next
	}
	return longest
}

// branchDepth reads the label of br and br_if.
func branchDepth(imm []byte) uint32 { return (&reader{b: imm}).u32() }

// instructionWeight is what an instruction costs in fuel units (see
// SafepointInterval): one, except memory accesses and calls, which can
// wait on a cache or TLB miss or a table lookup many times longer than
// an arithmetic instruction takes.
func instructionWeight(op byte) int64 {
	switch {
	case op >= 0x28 && op <= 0x3e, op == opCallIndirect, op == opCallRef, op == prefixThreads:
		return loadWeight
	}
	return 1
}

// bulkShift reports whether the misc instruction starting at b (after the
// 0xfc prefix) runs for a time proportional to an operand, and by how
// much to shift that operand right to get its fuel (see SafepointInterval).
// Every one of them takes the size as its last operand, an i32.
func bulkShift(b []byte) (shift int, ok bool) {
	r := &reader{b: b}
	switch r.u32() {
	case 8, 10, 11: // memory.init, memory.copy, memory.fill: bytes
		return bytesShift, true
	case 12, 14, 15, 17: // table.init, table.copy, table.grow, table.fill: elements
		return elementsShift, true
	}
	return 0, false
}

// instruction skips one instruction and returns its first opcode byte. It
// knows every instruction of wasm 2.0 (SIMD, bulk memory, reference types)
// and those of the threads, tail call, exception handling and function
// references proposals; anything else is an error, since skipping an
// unknown immediate would misread everything after it.
func (r *reader) instruction() byte {
	op := r.byte()
	switch {
	case op <= 0x01, op == 0x05, op == 0x0a, op == 0x0b, op == 0x0f, op == 0x19,
		op == 0x1a, op == 0x1b, op >= 0x45 && op <= 0xc4, op == 0xd1, op == 0xd3, op == 0xd5:
		// No immediate.
	case op >= 0x02 && op <= 0x04, op == 0x06: // block, loop, if, try
		r.blockType()
	case op >= 0x07 && op <= 0x09, op == 0x0c, op == 0x0d, op == 0x10, op == 0x12,
		op == 0x14, op == 0x15, op == 0x18, op >= 0x20 && op <= 0x26, op == 0xd2, op == 0xd4, op == 0xd6:
		// catch, throw, rethrow, br, br_if, call, return_call, call_ref,
		// return_call_ref, delegate, local.*, global.*, table.get/set,
		// ref.func, br_on_null, br_on_non_null: one index.
		r.u32()
	case op == 0x0e: // br_table
		for n := r.count(); n > 0 && r.err == nil; n-- {
			r.u32()
		}
		r.u32()
	case op == 0x11, op == 0x13: // call_indirect, return_call_indirect
		r.u32()
		r.u32()
	case op == 0x1c: // select t*
		for n := r.count(); n > 0 && r.err == nil; n-- {
			r.valueType()
		}
	case op == 0x1f: // try_table
		r.blockType()
		for n := r.count(); n > 0 && r.err == nil; n-- {
			if kind := r.byte(); kind <= 1 {
				r.u32() // the tag of catch and catch_ref
			}
			r.u32() // the label
		}
	case op >= 0x28 && op <= 0x3e:
		r.memArg()
	case op == 0x3f, op == 0x40: // memory.size, memory.grow
		r.u32()
	case op == 0x41:
		r.skipLEB(5)
	case op == 0x42:
		r.skipLEB(10)
	case op == 0x43:
		r.bytes(4)
	case op == 0x44:
		r.bytes(8)
	case op == 0xd0: // ref.null
		r.skipLEB(5)
	case op == prefixMisc:
		r.misc()
	case op == prefixSIMD:
		r.simd()
	case op == prefixThreads:
		r.atomic()
	default:
		r.pos--
		r.fail("unknown opcode 0x%02x", op)
	}
	return op
}

// blockType skips a block type: 0x40, a value type, or a type index (s33).
func (r *reader) blockType() { r.skipLEB(5) }

// memArg skips alignment (bit 6 announcing a memory index) and offset.
func (r *reader) memArg() {
	if align := r.u32(); align&0x40 != 0 {
		r.u32()
	}
	r.skipLEB(10)
}

func (r *reader) misc() {
	switch sub := r.u32(); {
	case sub <= 7: // trunc_sat
	case sub == 8, sub == 10, sub == 12, sub == 14: // memory.init, memory.copy, table.init, table.copy
		r.u32()
		r.u32()
	case sub == 9, sub == 11, sub == 13, sub >= 15 && sub <= 17:
		// data.drop, memory.fill, elem.drop, table.grow/size/fill
		r.u32()
	default:
		r.fail("unknown instruction 0xfc %d", sub)
	}
}

func (r *reader) simd() {
	switch sub := r.u32(); {
	case sub <= 0x0b, sub == 0x5c, sub == 0x5d: // loads and stores
		r.memArg()
	case sub == 0x0c, sub == 0x0d: // v128.const, i8x16.shuffle
		r.bytes(16)
	case sub >= 0x15 && sub <= 0x22: // extract_lane, replace_lane
		r.byte()
	case sub >= 0x54 && sub <= 0x5b: // load_lane, store_lane
		r.memArg()
		r.byte()
	case sub <= 0x113: // arithmetic, no immediate (relaxed SIMD included)
	default:
		r.fail("unknown instruction 0xfd %d", sub)
	}
}

func (r *reader) atomic() {
	switch sub := r.u32(); {
	case sub == 0x03: // atomic.fence
		r.byte()
	case sub <= 0x4e:
		r.memArg()
	default:
		r.fail("unknown instruction 0xfe %d", sub)
	}
}
