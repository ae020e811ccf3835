package xmlrpc

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Scalars other than strings may have white space around them (pretty
// printers put it there); strings keep theirs.

// trimScalar is bytes.TrimSpace, which scalars have always been trimmed
// with, except that a scalar with nothing to trim, nearly every one, comes
// back without the call.
func trimScalar(b []byte) []byte {
	if len(b) > 0 && b[0] > ' ' && b[0] < utf8.RuneSelf && b[len(b)-1] > ' ' && b[len(b)-1] < utf8.RuneSelf {
		return b
	}
	return bytes.TrimSpace(b)
}

func (d *decoder) parseInt(t tag, text []byte, bits int) (int64, error) {
	b := trimScalar(text)
	v, ok := parseInteger(b, bits)
	if !ok {
		return 0, d.errAt(int(t.off), ErrInvalidRequest, "<%s> value %s is not a %d-bit integer", d.qname(t), quote(b), bits)
	}
	return v, nil
}

// parseInteger reads [+-]digits into a signed integer of the given size.
// It is hand-written because strconv would need a string (an allocation)
// and would also accept forms like "0x10" and "1_000" that XML-RPC does not.
func parseInteger(b []byte, bits int) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	limit := uint64(1) << (bits - 1) // the magnitude of the most negative value
	var u uint64
	if len(b) <= 18 {
		// Below 10^18, which no 64-bit value can overflow: the common
		// case, with one test per digit and no division.
		for _, c := range b {
			d := c - '0' // a byte below '0' wraps to a large value
			if d > 9 {
				return 0, false
			}
			u = u*10 + uint64(d)
		}
		if u > limit {
			return 0, false
		}
	} else {
		cutoff := limit / 10
		for _, c := range b {
			if c < '0' || c > '9' || u > cutoff {
				return 0, false
			}
			u = u*10 + uint64(c-'0')
			if u > limit {
				return 0, false
			}
		}
	}
	if neg {
		return int64(-u), true // -limit wraps to the right value for bits == 64
	}
	if u == limit {
		return 0, false
	}
	return int64(u), true
}

func (d *decoder) parseBool(t tag, text []byte) (bool, error) {
	switch b := trimScalar(text); string(b) {
	case "0":
		return false, nil
	case "1":
		return true, nil
	default:
		return false, d.errAt(int(t.off), ErrInvalidRequest, "<%s> value %s is not 0 or 1", d.qname(t), quote(b))
	}
}

func (d *decoder) parseDouble(t tag, text []byte) (float64, error) {
	b := trimScalar(text)
	if !isDecimal(b) {
		return 0, d.errAt(int(t.off), ErrInvalidRequest, "<%s> value %s is not a decimal number (NaN and infinities have no XML-RPC form)", d.qname(t), quote(b))
	}
	if f, ok := shortDecimal(b); ok {
		return f, nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, d.errAt(int(t.off), ErrInvalidRequest, "<%s> value %s is out of range", d.qname(t), quote(b))
	}
	return f, nil
}

// shortDecimal reads a decimal that isDecimal accepted, if it has no
// exponent and at most 15 digits, as nearly every reading does ("21.25"):
// its digits then make an integer below 2^53 and its scale a power of ten
// below 10^22, both exact as float64s, so one division rounds the quotient
// correctly, as strconv.ParseFloat would (the fast path of Clinger's
// algorithm), for a tenth of strconv's instructions.
func shortDecimal(b []byte) (float64, bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		i++
	}
	if len(b)-i > 16 {
		return 0, false // more than 15 digits and a point
	}
	var m uint64
	digits := 0
	scale := -1 // digits after the point, once there is one
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if scale >= 0 {
				scale++
			}
		case c == '.' && scale < 0:
			scale = 0
		default:
			return 0, false // an exponent
		}
	}
	if digits > 15 {
		return 0, false
	}
	f := float64(m)
	if scale > 0 {
		f /= float64pow10[scale]
	}
	if neg {
		f = -f
	}
	return f, true
}

// float64pow10 holds the powers of ten that shortDecimal divides by.
var float64pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// isDecimal accepts [+-]digits[.digits][(e|E)[+-]digits] with at least one
// mantissa digit. The spec allows no exponent, but Python writes repr(),
// which uses one for large and small values.
func isDecimal(b []byte) bool {
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		digits++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
		if i == start {
			return false
		}
	}
	return i == len(b)
}

// parseBase64 decodes standard base64. Line breaks inside are allowed
// (Python wraps lines at 76 characters), as are other spaces and missing
// padding.
func (d *decoder) parseBase64(t tag, text []byte) ([]byte, error) {
	b := bytes.TrimSpace(text)
	n, spaces := 0, false // n counts base64 characters
	for _, c := range b {
		switch c {
		case '\r', '\n': // the decoder skips these itself
		case ' ', '\t':
			spaces = true
		default:
			n++
		}
	}
	if spaces {
		compact := make([]byte, 0, n)
		for _, c := range b {
			if !isSpace(c) {
				compact = append(compact, c)
			}
		}
		b = compact
	}
	enc := base64.StdEncoding
	if n%4 != 0 {
		enc = base64.RawStdEncoding
	}
	out := make([]byte, enc.DecodedLen(n))
	m, err := enc.Decode(out, b)
	if err != nil {
		var at base64.CorruptInputError
		if errors.As(err, &at) {
			return nil, d.errAt(int(t.off), ErrInvalidRequest, "<%s> is not valid base64: bad data at character %d of its text", d.qname(t), int64(at))
		}
		return nil, d.errAt(int(t.off), ErrInvalidRequest, "<%s> is not valid base64", d.qname(t))
	}
	return out[:m:m], nil
}
