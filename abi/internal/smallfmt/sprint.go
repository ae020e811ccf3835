package smallfmt

import (
	"reflect"
	"strconv"
)

// Sprint formats one value like fmt.Sprint(v), within the limits of
// Sprintf (a struct without an Error or String method comes out as
// %!v(type)).
//
// It does not go through Sprintf's machinery for flags and widths, which
// %v without flags never needs: the guest SDK calls it for every panic
// value, so it is linked into every plugin, while Sprintf is linked only
// into plugins that call abi.Faultf.
func Sprint(v any) string {
	return string(appendValue(nil, v, false))
}

// appendValue appends v as %v prints it. inPanic is set while printing
// the value of a panic raised by an Error or String method. Numbers and
// bools, named or not, are read through their reflect.Kind: one code path
// for all of them keeps Sprint small.
func appendValue(b []byte, v any, inPanic bool) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, nilAngle...)
	case string:
		return append(b, x...)
	case []byte:
		b = append(b, '[')
		for i, c := range x {
			if i > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendUint(b, uint64(c), 10)
		}
		return append(b, ']')
	}
	if s, ok := methodString(v, inPanic); ok {
		return append(b, s...)
	}
	switch x := v.(type) {
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendValue(b, e, inPanic)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, e...)
		}
		return append(b, ']')
	}
	switch r := reflect.ValueOf(v); r.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(b, r.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, r.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, r.Uint(), 10)
	case reflect.Float32:
		return strconv.AppendFloat(b, r.Float(), 'g', -1, 32)
	case reflect.Float64:
		return strconv.AppendFloat(b, r.Float(), 'g', -1, 64)
	case reflect.Complex64:
		return appendComplex(b, r.Complex(), 32)
	case reflect.Complex128:
		return appendComplex(b, r.Complex(), 64)
	case reflect.String:
		return append(b, r.String()...)
	}
	b = append(b, "%!v("...)
	b = append(b, TypeName(v)...)
	return append(b, ')')
}

// appendComplex appends c as %v prints it: (1+2i).
func appendComplex(b []byte, c complex128, partSize int) []byte {
	b = append(b, '(')
	b = strconv.AppendFloat(b, real(c), 'g', -1, partSize)
	im := strconv.FormatFloat(imag(c), 'g', -1, partSize)
	if im[0] != '-' && im[0] != '+' {
		b = append(b, '+') // the imaginary part always has a sign
	}
	b = append(b, im...)
	return append(b, "i)"...)
}

// methodString calls v's Error or String method, as %v does, turning a
// panic in it into fmt's marker: <nil> for a nil pointer receiver,
// %!v(PANIC=String method: ...) otherwise. Where fmt would panic (a method
// of that panic's value panics too), it writes %!v(type) instead: the
// guest SDK prints panic values while recovering from one.
func methodString(v any, inPanic bool) (s string, ok bool) {
	var method string
	var call func() string
	switch x := v.(type) {
	case error:
		method, call = "Error", x.Error
	case stringer:
		method, call = "String", x.String
	default:
		return "", false
	}
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		ok = true
		switch r := reflect.ValueOf(v); {
		case r.Kind() == reflect.Pointer && r.IsNil():
			s = nilAngle
		case inPanic:
			s = "%!v(" + TypeName(v) + ")"
		default:
			s = "%!v(PANIC=" + method + " method: " + string(appendValue(nil, p, true)) + ")"
		}
	}()
	return call(), true
}
