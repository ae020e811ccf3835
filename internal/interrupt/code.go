package interrupt

import "fmt"

// Opcodes this package reads or writes; the rest are only skipped.
const (
	opUnreachable  = 0x00
	opBlock        = 0x02
	opLoop         = 0x03
	opIf           = 0x04
	opTry          = 0x06
	opEnd          = 0x0b
	opCall         = 0x10
	opCallIndirect = 0x11
	opCallRef      = 0x14
	opDelegate     = 0x18
	opDrop         = 0x1a
	opTryTable     = 0x1f
	opGlobalGet    = 0x23
	opGlobalSet    = 0x24
	opMemoryGrow   = 0x40
	opI32Const     = 0x41
	opI32LtS       = 0x48
	opI32Sub       = 0x6b
	opI32ShrU      = 0x76
	blockTypeEmpty = 0x40
	prefixMisc     = 0xfc
	prefixSIMD     = 0xfd
	prefixThreads  = 0xfe
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
	sites  []site
	diff   []int64
	frames []int
}

// instrumentBody copies one function body with its checks. It reads the
// body twice: once to find the sites and weigh the checks, once to copy.
//
// A check's weight is an upper bound on the instructions that can run
// after it before the next check: wasm is structured, so from a check the
// code only moves forward until it reaches a loop header (a check) or
// calls a function (whose entry is a check), and it can never jump into a
// loop but through its header. So a check's weight counts the instructions
// after it that are not inside a loop starting after it: those between
// the check and the end of the function, less the bodies of later loops.
// Code after a call returns is part of the caller's last check, so every
// instruction that runs has been paid for.
func instrumentBody(out, in []byte, g globals, sc *scratch) ([]byte, error) {
	r := &reader{b: in}
	r.locals()
	if r.err != nil {
		return nil, r.err
	}
	// Instruction j counts for every check whose ordinal lies between
	// that of j's innermost loop (0, the entry, outside any loop) and the
	// last check before j: a range added through a difference array.
	sites := append(sc.sites[:0], site{pos: r.pos, kind: siteCheck})
	diff := append(sc.diff[:0], 0, 0)
	frames := append(sc.frames[:0], 0) // per open block, its innermost loop's check
	checks := 1
	for !r.done() {
		start := r.pos
		op := r.instruction()
		if r.err != nil {
			break
		}
		inner := frames[len(frames)-1]
		diff[inner] += instructionWeight(op)
		diff[checks] -= instructionWeight(op)
		switch op {
		case opLoop:
			frames = append(frames, checks)
			sites = append(sites, site{pos: r.pos, kind: siteCheck, check: checks})
			checks++
			diff = append(diff, 0)
		case opBlock, opIf, opTry, opTryTable:
			frames = append(frames, inner)
		case opEnd, opDelegate:
			if len(frames) > 1 {
				frames = frames[:len(frames)-1]
			}
		case opCall:
			if callee := (&reader{b: in[start+1:]}).u32(); callee < g.hostFuncs {
				sites = append(sites, site{pos: r.pos, kind: siteHostCall})
			}
		case opCallIndirect, opCallRef: // the callee may be an import
			sites = append(sites, site{pos: r.pos, kind: siteHostCall})
		case prefixMisc:
			if shift, ok := bulkShift(in[start+1:]); ok {
				sites = append(sites, site{pos: start, kind: siteBulk, check: shift})
			}
		}
	}
	sc.sites, sc.diff, sc.frames = sites, diff, frames
	if r.err != nil {
		return nil, r.err
	}
	if len(in) == 0 || in[len(in)-1] != opEnd {
		return nil, fmt.Errorf("%w: body does not end with end", ErrMalformed)
	}
	for k := 1; k < len(diff); k++ {
		diff[k] += diff[k-1] // diff now holds each check's weight
	}
	copied := 0
	for _, s := range sites {
		out = append(out, in[copied:s.pos]...)
		copied = s.pos
		switch s.kind {
		case siteCheck:
			out = appendCheck(out, g, diff[s.check])
		case siteBulk:
			out = appendBulkCharge(out, g, byte(s.check))
		case siteHostCall:
			out = appendFlagTest(out, g)
		}
	}
	return append(out, in[copied:]...), nil
}

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
