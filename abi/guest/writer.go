package guest

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/wire"
)

// A Writer writes a typed handler's result (see RegisterTyped) straight
// into the Result the host reads, as MessagePack: one value, which may be
// an array or a struct whose length is given first and whose elements
// follow. Nothing is built in between and nothing is allocated once the
// output buffer, reused from call to call, is large enough.
//
// A mistake in the shape (more or fewer elements than announced, a struct
// member's value where its name was due, a second top-level value), a
// string that is not UTF-8 or a float XML-RPC cannot carry is remembered:
// the next writes are ignored and the call fails with an
// abi.CodeInternalError fault naming it. Writing nothing returns <nil/>.
// Member names must be unique within a struct; the host refuses a result
// with a duplicate (also an internal-error fault).
type Writer struct {
	b     []byte
	err   error
	wrote bool     // the top-level value has been started
	open  []uint32 // per open array or struct, the values still due; keyBit marks a struct
}

// keyBit marks an open struct in Writer.open: its count is twice the
// members still due, so an even count means a name comes next.
const keyBit = 1 << 31

// Reset makes w write after dst, forgetting what it wrote before. A
// handler gets a Writer ready to use; Reset and Finish let a plugin use
// one of its own, to encode what it stores (keep one and reuse it: its
// state is then allocated once).
func (w *Writer) Reset(dst []byte) {
	w.b, w.err, w.wrote, w.open = dst, nil, false, w.open[:0]
}

// Finish returns dst with what was written appended, or the first
// mistake (see Writer), including arrays and structs left short.
func (w *Writer) Finish() ([]byte, error) {
	b := w.b
	w.b = nil
	return b, w.finish()
}

func (w *Writer) fail(reason string) {
	if w.err == nil {
		w.err = &abi.EncodeError{Reason: reason}
	}
}

// value accounts for one value about to be written; it reports false when
// the value must not be written.
func (w *Writer) value(isName bool) bool {
	if w.err != nil {
		return false
	}
	n := len(w.open)
	if n == 0 {
		if w.wrote {
			w.fail("a second value after the result (a result is one value: wrap several in an array)")
			return false
		}
		if isName {
			w.fail("a struct member name outside a struct")
			return false
		}
		w.wrote = true
		return true
	}
	top := w.open[n-1]
	if top&keyBit != 0 && top&1 == 0 != isName {
		if isName {
			w.fail("a struct member name where a member's value was due")
		} else {
			w.fail("a value where a struct member's name was due (call Name first)")
		}
		return false
	}
	w.open[n-1] = top - 1 // popped by written once the value is complete
	return true
}

// written closes the arrays and structs that the value just written
// completed. A container stays open until its last value is complete, so
// that len(w.open) is the depth of what is written next.
func (w *Writer) written() {
	for len(w.open) > 0 && w.open[len(w.open)-1]&^keyBit == 0 {
		w.open = w.open[:len(w.open)-1]
	}
}

// finish reports what went wrong, including containers left short.
func (w *Writer) finish() error {
	if w.err == nil && len(w.open) > 0 {
		top := w.open[len(w.open)-1]
		if top&keyBit != 0 {
			w.fail("a struct ended " + strconv.Itoa(int(top&^keyBit+1)/2) + " member(s) short of the length given")
		} else {
			w.fail("an array ended " + strconv.Itoa(int(top)) + " element(s) short of the length given")
		}
	}
	return w.err
}

// Nil writes <nil/>.
func (w *Writer) Nil() {
	if w.value(false) {
		w.b = append(w.b, 0xc0)
		w.written()
	}
}

// Bool writes a <boolean>.
func (w *Writer) Bool(b bool) {
	if w.value(false) {
		if b {
			w.b = append(w.b, 0xc3)
		} else {
			w.b = append(w.b, 0xc2)
		}
		w.written()
	}
}

// Int writes an <int>, or an <i8> beyond 32 bits.
func (w *Writer) Int(n int64) {
	if w.value(false) {
		w.b = wire.AppendInt(w.b, n)
		w.written()
	}
}

// Float writes a <double>; NaN and the infinities are refused.
func (w *Writer) Float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.fail("float " + strconv.FormatFloat(f, 'g', -1, 64) + " cannot be sent (XML-RPC has no NaN or infinity)")
		return
	}
	if w.value(false) {
		w.b = wire.AppendFloat(w.b, f)
		w.written()
	}
}

// String writes a <string>, which must be valid UTF-8.
func (w *Writer) String(s string) {
	if !utf8.ValidString(s) {
		w.fail("string is not valid UTF-8")
		return
	}
	if w.value(false) {
		w.str(s)
		w.written()
	}
}

// StringBytes writes b as a <string>, which must be valid UTF-8.
func (w *Writer) StringBytes(b []byte) {
	if !utf8.Valid(b) {
		w.fail("string is not valid UTF-8")
		return
	}
	if w.value(false) {
		w.b, _ = wire.AppendStrHeader(w.b, len(b)) // a slice in wasm is shorter than 2^32
		w.b = append(w.b, b...)
		w.written()
	}
}

func (w *Writer) str(s string) {
	w.b, _ = wire.AppendStrHeader(w.b, len(s))
	w.b = append(w.b, s...)
}

// Bytes writes a <base64>.
func (w *Writer) Bytes(b []byte) {
	if w.value(false) {
		w.b, _ = wire.AppendBinHeader(w.b, len(b))
		w.b = append(w.b, b...)
		w.written()
	}
}

// Time writes a <dateTime.iso8601>.
func (w *Writer) Time(t time.Time) {
	if w.value(false) {
		w.b = wire.AppendTime(w.b, t)
		w.written()
	}
}

// Array starts an <array> of n elements: the next n values written are
// its elements.
func (w *Writer) Array(n int) {
	w.container(n, false)
}

// Struct starts a <struct> of n members: write each as Name, then its
// value.
func (w *Writer) Struct(n int) {
	w.container(n, true)
}

func (w *Writer) container(n int, isStruct bool) {
	if n < 0 || n > math.MaxInt32 || isStruct && n > 1<<30 { // 2n must stay below keyBit
		w.fail("length " + strconv.Itoa(n) + " out of range")
		return
	}
	if len(w.open) >= abi.MaxDepth {
		w.fail("arrays and structs nest deeper than " + strconv.Itoa(abi.MaxDepth))
		return
	}
	if !w.value(false) {
		return
	}
	if isStruct {
		w.b, _ = wire.AppendMapHeader(w.b, n)
		w.open = append(w.open, uint32(2*n)|keyBit)
	} else {
		w.b, _ = wire.AppendArrayHeader(w.b, n)
		w.open = append(w.open, uint32(n))
	}
	w.written() // an empty one is complete already
}

// Name writes the name of the next member of the struct being written.
func (w *Writer) Name(name string) {
	if !utf8.ValidString(name) {
		w.fail("struct member name is not valid UTF-8")
		return
	}
	if w.value(true) {
		w.str(name)
		w.written()
	}
}

// Raw writes v unchanged: its encoding is copied as it came, without
// being decoded (an echo costs one copy).
func (w *Writer) Raw(v Value) {
	if w.value(false) {
		w.b = append(w.b, v.Raw()...)
		w.written()
	}
}
