package guest

import (
	"strconv"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/wire"
)

// A Value is one param of a typed handler (see RegisterTyped), or an
// element or member inside one, read in place from the bytes of the call:
// nothing is decoded until an accessor asks, and the accessors allocate
// nothing unless they say so (String, Any).
//
// The accessors return an *abi.Fault with abi.CodeInvalidParams when the
// value is of another type, naming where it is as a client counts:
// "param 1[3].at: want dateTime.iso8601, got string".
//
// A Value, and every []byte an accessor returns, views the call's bytes,
// which the next call overwrites: copy what must outlive the handler.
// A Value is valid only during the call of the handler that got it. The
// zero Value, which Next returns after the last element, holds no value:
// its accessors panic (and the panic becomes a fault).
type Value struct {
	b    []byte // starts with this value's encoding (and may run on past it)
	up   *Value // the array or struct holding it; nil for a param
	pos  int    // a param's or an element's 0-based index
	name []byte // a member's name; nil otherwise
	memb bool   // whether it is a member
}

// Type returns the XML-RPC type name of v, as abi.TypeName names a
// decoded value: int, i8, boolean, string, double, dateTime.iso8601,
// base64, array, struct or nil.
func (v Value) Type() string {
	f, _, _, _ := head(v.b)
	switch f {
	case famNil:
		return "nil"
	case famBool:
		return "boolean"
	case famInt:
		if n := intAt(v.b); n < -1<<31 || n > 1<<31-1 {
			return "i8"
		}
		return "int"
	case famFloat:
		return "double"
	case famStr:
		return "string"
	case famBin:
		return "base64"
	case famArray:
		return "array"
	case famMap:
		return "struct"
	default:
		return "dateTime.iso8601"
	}
}

// IsNil reports whether v is <nil/>.
func (v Value) IsNil() bool { return v.b[0] == 0xc0 }

// Int returns v, an <int> or <i8>.
func (v Value) Int() (int64, error) {
	if c := v.b[0]; c <= 0x7f { // the commonest case first
		return int64(c), nil
	}
	if f, _, _, _ := head(v.b); f != famInt {
		return 0, v.wrongType("int")
	}
	return intAt(v.b), nil
}

// Ints appends the elements of v, an <array> of <int>s, to dst: one call
// for the whole array, its loop free of function calls. Inside wasm a Go
// function call costs tens of nanoseconds (measured: ~90 ns), more than
// decoding an int, so this is several times cheaper than Next and Int per
// element. A fault
// names the first element that is not an int: "param 1[2]: want int, got
// string".
func (v Value) Ints(dst []int64) ([]int64, error) {
	a, err := v.Array()
	if err != nil {
		return dst, err
	}
	b := a.rest
	for i := range a.n {
		c := b[0]
		switch {
		case c <= 0x7f:
			dst = append(dst, int64(c))
			b = b[1:]
		case c >= 0xe0:
			dst = append(dst, int64(int8(c)))
			b = b[1:]
		case c == 0xcc: // the 8-, 16- and 32-bit forms decoded inline, as a call costs more
			dst = append(dst, int64(b[1]))
			b = b[2:]
		case c == 0xcd:
			dst = append(dst, int64(b[1])<<8|int64(b[2]))
			b = b[3:]
		case c == 0xce:
			dst = append(dst, int64(b[1])<<24|int64(b[2])<<16|int64(b[3])<<8|int64(b[4]))
			b = b[5:]
		case c >= 0xcf && c <= 0xd3:
			dst = append(dst, intAt(b))
			b = b[sizes[c]:]
		default:
			return dst, Value{b: b, up: &v, pos: i}.wrongType("int")
		}
	}
	return dst, nil
}

// Float returns v, a <double>, or an <int> converted to float64 (as
// clients such as node's send whole numbers as ints).
func (v Value) Float() (float64, error) {
	switch f, _, _, _ := head(v.b); f {
	case famFloat:
		return floatAt(v.b), nil
	case famInt:
		return float64(intAt(v.b)), nil
	}
	return 0, v.wrongType("double")
}

// Bool returns v, a <boolean>.
func (v Value) Bool() (bool, error) {
	switch v.b[0] {
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	}
	return false, v.wrongType("boolean")
}

// StringBytes returns v, a <string>, as a view of the call's bytes (valid
// UTF-8): no copy, so nothing to collect.
func (v Value) StringBytes() ([]byte, error) {
	f, hdr, n, _ := head(v.b)
	if f != famStr {
		return nil, v.wrongType("string")
	}
	return v.b[hdr : hdr+int(n) : hdr+int(n)], nil
}

// String returns v, a <string>, as a new string (one allocation unless
// it is empty).
func (v Value) String() (string, error) {
	b, err := v.StringBytes()
	return string(b), err
}

// Bytes returns v, a <base64>, decoded, as a view of the call's bytes.
func (v Value) Bytes() ([]byte, error) {
	f, hdr, n, _ := head(v.b)
	if f != famBin {
		return nil, v.wrongType("base64")
	}
	return v.b[hdr : hdr+int(n) : hdr+int(n)], nil
}

// Time returns v, a <dateTime.iso8601>, in UTC.
func (v Value) Time() (time.Time, error) {
	f, hdr, n, _ := head(v.b)
	if f != famExt {
		return time.Time{}, v.wrongType("dateTime.iso8601")
	}
	sec, nsec := stampAt(v.b[hdr : hdr+int(n)])
	return time.Unix(sec, nsec).UTC(), nil
}

// Array returns an iterator over v, an <array>.
func (v Value) Array() (Elems, error) {
	f, hdr, n, _ := head(v.b)
	if f != famArray {
		return Elems{}, v.wrongType("array")
	}
	return Elems{of: v, rest: v.b[hdr:], n: int(n)}, nil
}

// Struct returns an iterator over v's members, v being a <struct>.
func (v Value) Struct() (Members, error) {
	f, hdr, n, _ := head(v.b)
	if f != famMap {
		return Members{}, v.wrongType("struct")
	}
	return Members{of: v, rest: v.b[hdr:], n: int(n)}, nil
}

// Name returns a member's name as a view of the call's bytes, or nil for
// a value that is not a member.
func (v Value) Name() []byte { return v.name }

// Raw returns v's MessagePack encoding, as a view of the call's bytes.
// Writer.Raw writes it back unchanged.
func (v Value) Raw() []byte { n := skip(v.b); return v.b[:n:n] }

// Any decodes v into the abi value set, as Params holds values: copies,
// allocated.
func (v Value) Any() (any, error) {
	a, _, err := abi.DecodeValue(v.b)
	return a, err
}

// Path renders where v is, as the faults of its accessors name it:
// "param 2", "param 1[3]", "param 1[3].at".
func (v Value) Path() string {
	if v.up == nil {
		return "param " + strconv.Itoa(v.pos+1)
	}
	if v.memb {
		return v.up.Path() + wire.MemberStep(string(v.name))
	}
	return v.up.Path() + "[" + strconv.Itoa(v.pos) + "]"
}

// Fault returns an invalid-params fault about v: its Path, ": ", msg.
// A handler's own checks can use it to speak like the accessors.
func (v Value) Fault(msg string) error {
	return &abi.Fault{Code: abi.CodeInvalidParams, Message: v.Path() + ": " + msg}
}

func (v Value) wrongType(want string) error {
	return v.Fault("want " + want + ", got " + v.Type())
}

// Elems iterates over the elements of an array, in order:
//
//	for e, ok := a.Next(); ok; e, ok = a.Next() { ... }
type Elems struct {
	of   Value
	rest []byte
	n, i int
}

// Len returns the number of elements.
func (a *Elems) Len() int { return a.n }

// Next returns the next element, or false after the last.
func (a *Elems) Next() (Value, bool) {
	if a.i >= a.n {
		return Value{}, false
	}
	e := Value{b: a.rest, up: &a.of, pos: a.i}
	size := int(sizes[a.rest[0]])
	if size == 0 {
		size = skip(a.rest)
	}
	a.rest = a.rest[size:]
	a.i++
	return e, true
}

// Members iterates over the members of a struct, in the order they were
// sent; each Value's Name says which member it is.
type Members struct {
	of   Value
	rest []byte
	n, i int
}

// Len returns the number of members.
func (m *Members) Len() int { return m.n }

// Next returns the next member, or false after the last.
func (m *Members) Next() (Value, bool) {
	if m.i >= m.n {
		return Value{}, false
	}
	_, n, ok := fixHead(m.rest)
	hdr := 1
	if !ok {
		_, hdr, n, _ = headSlow(m.rest)
	}
	name := m.rest[hdr : hdr+int(n) : hdr+int(n)]
	rest := m.rest[hdr+int(n):]
	size := int(sizes[rest[0]])
	if size == 0 {
		size = skip(rest)
	}
	m.rest = rest[size:]
	m.i++
	return Value{b: rest, up: &m.of, pos: m.i - 1, name: name, memb: true}, true
}
