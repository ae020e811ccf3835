package guest

import (
	"strconv"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// Params are the params of a call, each a value of the abi value set.
//
// The accessors take a 0-based index, like the slice, and return an
// *abi.Fault with abi.CodeInvalidParams when the param is missing or of
// another type; their messages count params from 1, as a client does:
// "param 2: want int, got string". A handler can return such an error as
// it is.
//
// The slice's backing array is reused by the next call, to spare an
// allocation per call: a handler that keeps Params (not just values taken
// from it) past its return must copy it with slices.Clone. The values
// themselves are never reused.
type Params []any

// Len returns the number of params.
func (p Params) Len() int { return len(p) }

// Want returns a fault unless there are exactly n params:
// "add takes 2 params, got 3".
func (p Params) Want(n int) error {
	if len(p) == n {
		return nil
	}
	name := "method"
	if current != nil {
		name = current.name
	}
	return &abi.Fault{Code: abi.CodeInvalidParams,
		Message: name + " takes " + count(n, "param") + ", got " + strconv.Itoa(len(p))}
}

// count renders "1 param", "2 params".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// Any returns param i whatever its type.
func (p Params) Any(i int) (any, error) {
	if i < 0 || i >= len(p) {
		return nil, &abi.Fault{Code: abi.CodeInvalidParams,
			Message: "param " + strconv.Itoa(i+1) + ": missing (got " + count(len(p), "param") + ")"}
	}
	return p[i], nil
}

// wrongType is the fault for param i holding v where want was expected.
func wrongType(i int, want string, v any) error {
	return &abi.Fault{Code: abi.CodeInvalidParams,
		Message: "param " + strconv.Itoa(i+1) + ": want " + want + ", got " + abi.TypeName(v)}
}

// Int returns param i, an <int> or <i8>.
func (p Params) Int(i int) (int64, error) {
	v, err := p.Any(i)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, wrongType(i, "int", v)
	}
	return n, nil
}

// Float returns param i, a <double>, or an <int> converted to float64 (as
// clients such as node's send whole numbers as ints).
func (p Params) Float(i int) (float64, error) {
	v, err := p.Any(i)
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	}
	return 0, wrongType(i, "double", v)
}

// String returns param i, a <string> (an untyped value is one too).
func (p Params) String(i int) (string, error) {
	v, err := p.Any(i)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", wrongType(i, "string", v)
	}
	return s, nil
}

// Bool returns param i, a <boolean>.
func (p Params) Bool(i int) (bool, error) {
	v, err := p.Any(i)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, wrongType(i, "boolean", v)
	}
	return b, nil
}

// Bytes returns param i, a <base64>, decoded.
func (p Params) Bytes(i int) ([]byte, error) {
	v, err := p.Any(i)
	if err != nil {
		return nil, err
	}
	b, ok := v.([]byte)
	if !ok {
		return nil, wrongType(i, "base64", v)
	}
	return b, nil
}

// Time returns param i, a <dateTime.iso8601>, in UTC.
func (p Params) Time(i int) (time.Time, error) {
	v, err := p.Any(i)
	if err != nil {
		return time.Time{}, err
	}
	t, ok := v.(time.Time)
	if !ok {
		return time.Time{}, wrongType(i, "dateTime.iso8601", v)
	}
	return t, nil
}

// Array returns param i, an <array>.
func (p Params) Array(i int) ([]any, error) {
	v, err := p.Any(i)
	if err != nil {
		return nil, err
	}
	a, ok := v.([]any)
	if !ok {
		return nil, wrongType(i, "array", v)
	}
	return a, nil
}

// Struct returns param i, a <struct>.
func (p Params) Struct(i int) (abi.Struct, error) {
	v, err := p.Any(i)
	if err != nil {
		return nil, err
	}
	s, ok := v.(abi.Struct)
	if !ok {
		return nil, wrongType(i, "struct", v)
	}
	return s, nil
}
