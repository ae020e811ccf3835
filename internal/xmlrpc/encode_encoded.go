package xmlrpc

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
	"unsafe"

	"github.com/rpchost/rpchost/abi"
)

// A guest's array or struct result reaches the encoder as an abi.Encoded,
// its MessagePack bytes checked by abi.DecodeResultEncoded, rather than as
// thousands of Go values made only to be written here once. appendEncoded
// writes the XML straight from the bytes: exactly what appendValue writes
// for the value they decode to, with the same checks XML needs (NaN and
// infinities, characters XML cannot carry, years outside 0-9999) and the
// same errors (the fuzz test compares the two). What the abi's value set
// already guarantees (valid UTF-8, unique member names, depth, integer
// range) was checked when the Encoded was made; bytes that break that
// promise anyway fail the encoding, never panic or loop.

// mpReader reads the MessagePack of an abi.Encoded; off is the next byte.
type mpReader struct {
	b   []byte
	off int
}

func malformedEncoded() *encodeError {
	return &encodeError{msg: "an abi.Encoded that is not one well-formed value"}
}

// appendEncoded writes the content of a <value> holding e.
func appendEncoded(dst []byte, e abi.Encoded, depth, frac int) ([]byte, *encodeError) {
	r := mpReader{b: e}
	dst, err := r.value(dst, depth, frac)
	if err == nil && r.off != len(r.b) {
		err = malformedEncoded()
	}
	return dst, err
}

// take returns the next n bytes, or false when fewer remain.
func (r *mpReader) take(n uint64) ([]byte, bool) {
	if n > uint64(len(r.b)-r.off) {
		return nil, false
	}
	b := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return b, true
}

// uint reads an n-byte big-endian unsigned integer (n is 1, 2, 4 or 8).
func (r *mpReader) uint(n uint64) (uint64, bool) {
	b, ok := r.take(n)
	if !ok {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return u, true
}

// length reads the length that follows format byte c of a str, bin,
// array or map: 1 byte for the 8-bit forms, 2 for the 16-bit, else 4.
func (r *mpReader) length(c byte) (uint64, bool) {
	switch c {
	case 0xd9, 0xc4: // str 8, bin 8
		return r.uint(1)
	case 0xda, 0xc5, 0xdc, 0xde: // str 16, bin 16, array 16, map 16
		return r.uint(2)
	default:
		return r.uint(4)
	}
}

func (r *mpReader) value(dst []byte, depth, frac int) ([]byte, *encodeError) {
	if r.off >= len(r.b) {
		return dst, malformedEncoded()
	}
	c := r.b[r.off]
	r.off++
	switch {
	case c <= 0x7f:
		return appendInt(dst, int64(c)), nil
	case c >= 0xe0:
		return appendInt(dst, int64(int8(c))), nil
	case c <= 0x8f:
		return r.structBody(dst, uint64(c&0x0f), depth, frac)
	case c <= 0x9f:
		return r.arrayBody(dst, uint64(c&0x0f), depth, frac)
	case c <= 0xbf:
		return r.str(dst, uint64(c&0x1f))
	}
	switch c {
	case 0xc0:
		return append(dst, "<nil/>"...), nil
	case 0xc2:
		return append(dst, "<boolean>0</boolean>"...), nil
	case 0xc3:
		return append(dst, "<boolean>1</boolean>"...), nil
	case 0xcc, 0xcd, 0xce, 0xcf: // uint 8-64
		u, ok := r.uint(1 << (c - 0xcc))
		if !ok || u > math.MaxInt64 {
			return dst, malformedEncoded()
		}
		return appendInt(dst, int64(u)), nil
	case 0xd0, 0xd1, 0xd2, 0xd3: // int 8-64
		n := uint64(1) << (c - 0xd0)
		u, ok := r.uint(n)
		if !ok {
			return dst, malformedEncoded()
		}
		shift := 64 - 8*n // sign-extend from n bytes
		return appendInt(dst, int64(u<<shift)>>shift), nil
	case 0xca:
		u, ok := r.uint(4)
		if !ok {
			return dst, malformedEncoded()
		}
		return appendDouble(dst, float64(math.Float32frombits(uint32(u))))
	case 0xcb:
		u, ok := r.uint(8)
		if !ok {
			return dst, malformedEncoded()
		}
		return appendDouble(dst, math.Float64frombits(u))
	case 0xd9, 0xda, 0xdb: // str 8-32
		n, ok := r.length(c)
		if !ok {
			return dst, malformedEncoded()
		}
		return r.str(dst, n)
	case 0xc4, 0xc5, 0xc6: // bin 8-32
		n, ok := r.length(c)
		if !ok {
			return dst, malformedEncoded()
		}
		b, ok := r.take(n)
		if !ok {
			return dst, malformedEncoded()
		}
		return appendBase64(dst, b), nil
	case 0xdc, 0xdd:
		n, ok := r.length(c)
		if !ok {
			return dst, malformedEncoded()
		}
		return r.arrayBody(dst, n, depth, frac)
	case 0xde, 0xdf:
		n, ok := r.length(c)
		if !ok {
			return dst, malformedEncoded()
		}
		return r.structBody(dst, n, depth, frac)
	case 0xd6, 0xd7, 0xc7: // the timestamp's fixext 4, fixext 8 and ext 8
		t, ok := r.timestamp(c)
		if !ok {
			return dst, malformedEncoded()
		}
		return appendTime(dst, t, frac)
	default:
		return dst, malformedEncoded()
	}
}

// timestamp reads the timestamp extension (-1) whose format byte c was
// consumed, in the three forms abi.DecodeValue accepts.
func (r *mpReader) timestamp(c byte) (time.Time, bool) {
	size := uint64(4)
	switch c {
	case 0xd7:
		size = 8
	case 0xc7:
		n, ok := r.uint(1)
		if !ok || n != 12 {
			return time.Time{}, false
		}
		size = 12
	}
	typ, ok := r.uint(1)
	if !ok || int8(typ) != -1 {
		return time.Time{}, false
	}
	b, ok := r.take(size)
	if !ok {
		return time.Time{}, false
	}
	var sec, nsec uint64
	switch size {
	case 4:
		sec = uint64(binary.BigEndian.Uint32(b))
	case 8:
		u := binary.BigEndian.Uint64(b)
		sec, nsec = u&(1<<34-1), u>>34
	default:
		nsec, sec = uint64(binary.BigEndian.Uint32(b)), binary.BigEndian.Uint64(b[4:])
	}
	if nsec >= 1e9 {
		return time.Time{}, false
	}
	return time.Unix(int64(sec), int64(nsec)).UTC(), true
}

// text returns the n bytes of a str as a string that shares them: it is
// only read while they are (appendText, then an error's copy of it).
func (r *mpReader) text(n uint64) (string, bool) {
	b, ok := r.take(n)
	if !ok {
		return "", false
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), true
}

func (r *mpReader) str(dst []byte, n uint64) ([]byte, *encodeError) {
	s, ok := r.text(n)
	if !ok {
		return dst, malformedEncoded()
	}
	return appendString(dst, s) // its error message is built anew, holding no view of r.b
}

func (r *mpReader) arrayBody(dst []byte, n uint64, depth, frac int) ([]byte, *encodeError) {
	if depth >= maxEncodeDepth || n > uint64(len(r.b)-r.off) {
		return dst, malformedEncoded()
	}
	dst = append(dst, "<array><data>"...)
	for i := range n {
		dst = append(dst, "<value>"...)
		var err *encodeError
		if dst, err = r.value(dst, depth+1, frac); err != nil {
			return dst, err.at("[" + strconv.FormatUint(i, 10) + "]")
		}
		dst = append(dst, "</value>"...)
	}
	return append(dst, "</data></array>"...), nil
}

func (r *mpReader) structBody(dst []byte, n uint64, depth, frac int) ([]byte, *encodeError) {
	if depth >= maxEncodeDepth || n > uint64(len(r.b)-r.off)/2 {
		return dst, malformedEncoded()
	}
	dst = append(dst, "<struct>"...)
	for range n {
		name, ok := r.name()
		if !ok {
			return dst, malformedEncoded()
		}
		dst = append(dst, "<member><name>"...)
		var bad int
		dst, bad = appendText(dst, name, false)
		if bad >= 0 {
			return dst, &encodeError{msg: "member name " + strconv.Quote(name) + ": " + badText(name, bad)}
		}
		dst = append(dst, "</name><value>"...)
		var err *encodeError
		if dst, err = r.value(dst, depth+1, frac); err != nil {
			return dst, err.at("." + name) // a new string, as the message above
		}
		dst = append(dst, "</value></member>"...)
	}
	return append(dst, "</struct>"...), nil
}

// name reads a member name, which must be a str.
func (r *mpReader) name() (string, bool) {
	if r.off >= len(r.b) {
		return "", false
	}
	c := r.b[r.off]
	r.off++
	switch {
	case c >= 0xa0 && c <= 0xbf:
		return r.text(uint64(c & 0x1f))
	case c == 0xd9 || c == 0xda || c == 0xdb:
		n, ok := r.length(c)
		if !ok {
			return "", false
		}
		return r.text(n)
	default:
		return "", false
	}
}
