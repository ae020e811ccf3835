package abi

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AppendCall appends the Call [method, params] to dst. It fails when a
// param is outside the value set (see AppendValue); the error's Path then
// starts with the param's index, e.g. "params[1]".
func AppendCall(dst []byte, method string, params []any) ([]byte, error) {
	dst = append(dst, mpFixArray|2)
	dst, err := appendString(dst, method)
	if err != nil {
		return dst, within(err, "method")
	}
	if dst, err = appendLen(dst, len(params), mpFixArray, 16, 0, mpArray16, mpArray32); err != nil {
		return dst, within(err, "params")
	}
	for i, p := range params {
		if dst, err = appendValue(dst, p, 0); err != nil {
			return dst, within(err, "params["+strconv.Itoa(i)+"]")
		}
	}
	return dst, nil
}

// DecodeCall decodes a Call written by AppendCall. b must hold exactly one
// Call; params is never nil. The strings and byte slices it returns are
// copies, so b may be reused at once.
func DecodeCall(b []byte) (method string, params []any, err error) {
	d := decoder{b: b}
	n, err := d.arrayLen("Call")
	if err != nil {
		return "", nil, err
	}
	if n != 2 {
		return "", nil, d.fail(0, "Call has "+itoa(n)+" elements, want 2 ([method, params])")
	}
	if method, err = d.str("method name"); err != nil {
		return "", nil, err
	}
	if params, err = d.params(); err != nil {
		return "", nil, err
	}
	if err := d.end("Call"); err != nil {
		return "", nil, err
	}
	return method, params, nil
}

// params decodes the params array of a Call; each param may nest MaxDepth
// deep on its own.
func (d *decoder) params() ([]any, error) {
	n, err := d.arrayLen("params")
	if err != nil {
		return nil, err
	}
	params := make([]any, n)
	for i := range params {
		if params[i], err = d.value(0); err != nil {
			return nil, err
		}
	}
	return params, nil
}

// AppendResult appends the success Result [0, v] to dst. It fails when v is
// outside the value set (see AppendValue); the Result is then incomplete and
// the caller should truncate dst and append a fault instead.
func AppendResult(dst []byte, v any) ([]byte, error) {
	dst = append(dst, mpFixArray|2, StatusOK)
	if i, ok := v.(int64); ok { // the commonest result, without appendValue's type switch
		return appendInt(dst, i), nil
	}
	return appendValue(dst, v, 0)
}

// AppendFaultResult appends the fault Result [1, code, message] to dst. It
// cannot fail: a message that is not valid UTF-8 has its bad bytes replaced
// by U+FFFD, since a fault must always reach the client.
func AppendFaultResult(dst []byte, f *Fault) []byte {
	dst = append(dst, mpFixArray|3, StatusFault)
	dst = appendInt(dst, int64(f.Code))
	msg := f.Message
	if !utf8.ValidString(msg) {
		msg = strings.ToValidUTF8(msg, "\uFFFD")
	}
	if max := uint64(math.MaxUint32); uint64(len(msg)) > max {
		msg = strings.ToValidUTF8(msg[:int(max)], "") // drop a rune cut in half
	}
	dst, _ = appendString(dst, msg) // valid and short enough: cannot fail
	return dst
}

// DecodeResult decodes a Result. A success returns its value and a nil
// error; a fault returns nil and the *Fault; anything malformed (including
// bytes after the Result) returns an error wrapping ErrMalformed.
func DecodeResult(b []byte) (any, error) {
	return DecodeResultWithin(b, 0)
}

// DecodeResultWithin is DecodeResult with the array elements and map
// members of the value bounded by maxValues (0: unbounded): past it, it
// returns ErrTooManyValues having allocated nothing for the excess.
func DecodeResultWithin(b []byte, maxValues int) (any, error) {
	d := decoder{b: b, maxValues: uint64(max(maxValues, 0))}
	n, err := d.arrayLen("Result")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.fail(0, "Result is an empty array, want [0, value] or [1, code, message]")
	}
	statusAt := d.off
	status, err := d.int("Result status")
	if err != nil {
		return nil, err
	}
	switch status {
	case StatusOK:
		if n != 2 {
			return nil, d.fail(0, "success Result has "+itoa(n)+" elements, want 2 ([0, value])")
		}
		v, err := d.value(0)
		if err != nil {
			return nil, err
		}
		if err := d.end("Result"); err != nil {
			return nil, err
		}
		return v, nil
	case StatusFault:
		if n != 3 {
			return nil, d.fail(0, "fault Result has "+itoa(n)+" elements, want 3 ([1, code, message])")
		}
		codeAt := d.off
		code, err := d.int("fault code")
		if err != nil {
			return nil, err
		}
		if int64(int(code)) != code {
			return nil, d.fail(codeAt, "fault code "+strconv.FormatInt(code, 10)+" does not fit in an int")
		}
		msg, err := d.str("fault message")
		if err != nil {
			return nil, err
		}
		if err := d.end("Result"); err != nil {
			return nil, err
		}
		return nil, &Fault{Code: int(code), Message: msg}
	default:
		return nil, d.fail(statusAt, "Result status is "+strconv.FormatInt(status, 10)+", want 0 (success) or 1 (fault)")
	}
}
