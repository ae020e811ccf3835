package interrupt

import "fmt"

// Opcodes this package reads or writes; the rest are only skipped.
const (
	opUnreachable  = 0x00
	opLoop         = 0x03
	opIf           = 0x04
	opEnd          = 0x0b
	opDrop         = 0x1a
	opGlobalGet    = 0x23
	opGlobalSet    = 0x24
	opMemoryGrow   = 0x40
	opI32Const     = 0x41
	opI32Eqz       = 0x45
	opI32Sub       = 0x6b
	blockTypeEmpty = 0x40
	prefixMisc     = 0xfc
	prefixSIMD     = 0xfd
	prefixThreads  = 0xfe
)

// instrumentCode rewrites the code section: a check at the start of every
// body and after every loop's block type; everything else is copied as is.
func instrumentCode(payload []byte, g globals) ([]byte, error) {
	r := &reader{b: payload}
	n := r.count()
	out := appendU32(make([]byte, 0, len(payload)+len(payload)/8), n)
	var body []byte
	for i := uint32(0); i < n && r.err == nil; i++ {
		size := r.u32()
		in := r.bytes(int(size))
		if r.err != nil {
			break
		}
		var err error
		if body, err = instrumentBody(body[:0], in, g); err != nil {
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

func instrumentBody(out, in []byte, g globals) ([]byte, error) {
	r := &reader{b: in}
	r.locals()
	if r.err != nil {
		return nil, r.err
	}
	out = append(out, in[:r.pos]...)
	out = appendCheck(out, g)
	copied := r.pos // in[copied:r.pos] is read but not yet copied
	for !r.done() {
		if op := r.instruction(); op == opLoop && r.err == nil {
			out = append(out, in[copied:r.pos]...)
			out = appendCheck(out, g)
			copied = r.pos
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(in) == 0 || in[len(in)-1] != opEnd {
		return nil, fmt.Errorf("%w: body does not end with end", ErrMalformed)
	}
	return append(out, in[copied:]...), nil
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
