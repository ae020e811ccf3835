package interrupt

import "fmt"

// reader walks a byte slice, remembering the first error so that callers
// can read several fields and check once.
type reader struct {
	b   []byte
	pos int
	err error
}

// errTooLarge marks a count or length beyond the bytes that follow it, a
// module wazero must never see (see checkStructure).
var errTooLarge = fmt.Errorf("%w: size beyond the end", ErrMalformed)

func (r *reader) fail(format string, args ...any) { r.failWith(ErrMalformed, format, args...) }

func (r *reader) failWith(sentinel error, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: at byte %d: %s", sentinel, r.pos, fmt.Sprintf(format, args...))
	}
}

func (r *reader) done() bool { return r.err != nil || r.pos >= len(r.b) }

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.pos >= len(r.b) {
		r.fail("unexpected end")
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.pos {
		r.failWith(errTooLarge, "%d bytes needed, %d left", n, len(r.b)-r.pos)
		return nil
	}
	s := r.b[r.pos : r.pos+n]
	r.pos += n
	return s
}

// u32 reads an unsigned LEB128 of at most 32 bits.
func (r *reader) u32() uint32 {
	v := r.leb(5)
	if v > 1<<32-1 {
		r.fail("u32 out of range")
	}
	return uint32(v)
}

// skipLEB skips a LEB128 (signed or not) of at most maxBytes bytes; the
// value does not matter, only where it ends.
func (r *reader) skipLEB(maxBytes int) { r.leb(maxBytes) }

func (r *reader) leb(maxBytes int) uint64 {
	var v uint64
	for i := 0; i < maxBytes; i++ {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		if i < 10 {
			v |= uint64(c&0x7f) << (7 * i)
		}
		if c&0x80 == 0 {
			return v
		}
	}
	r.fail("LEB128 longer than %d bytes", maxBytes)
	return 0
}

// name reads a length-prefixed UTF-8 name.
func (r *reader) name() string { return string(r.bytes(int(r.u32()))) }

func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendName(b []byte, s string) []byte {
	return append(appendU32(b, uint32(len(s))), s...)
}

func appendS32(b []byte, v int32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
