package jsonrpc

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi"
)

// maxEncodeDepth stops a cyclic []any from recursing until the stack
// overflows, which would kill the process rather than fail the call.
const maxEncodeDepth = 10_000

// Error is a JSON-RPC error object's content.
type Error struct {
	Code    int
	Message string
	Data    any // omitted when nil; any value of the abi set
}

// AppendResult appends the response to req holding v. On error (v holds
// a value JSON cannot carry: NaN, an infinity, a type outside the abi
// set, or nesting past 10,000 levels) dst is returned unchanged.
func AppendResult(dst []byte, req *Request, v any) ([]byte, error) {
	n := len(dst)
	dst = appendHead(dst, req)
	dst = append(dst, `"result":`...)
	dst, err := appendValue(dst, v, 0)
	if err != nil {
		return dst[:n], fmt.Errorf("jsonrpc: the result cannot be written as JSON: %w", err)
	}
	if req != nil && req.Version != V2 {
		dst = append(dst, `,"error":null`...)
	}
	return appendID(dst, req), nil
}

// AppendError appends the error response to req; a nil req is one whose
// request could not be read, answered in JSON-RPC 2.0 with a null id.
// Data that cannot be written is left out.
func AppendError(dst []byte, req *Request, e Error) []byte {
	dst = appendHead(dst, req)
	v := V2
	if req != nil {
		v = req.Version
	}
	if v != V2 {
		dst = append(dst, `"result":null,`...)
	}
	dst = append(dst, `"error":{`...)
	if v == V11 {
		dst = append(dst, `"name":"JSONRPCError",`...)
	}
	dst = append(dst, `"code":`...)
	dst = strconv.AppendInt(dst, int64(e.Code), 10)
	dst = append(dst, `,"message":`...)
	dst = appendString(dst, e.Message)
	if e.Data != nil {
		n := len(dst)
		dst = append(dst, `,"data":`...)
		var err error
		if dst, err = appendValue(dst, e.Data, 0); err != nil {
			dst = dst[:n]
		}
	}
	dst = append(dst, '}')
	return appendID(dst, req)
}

func appendHead(dst []byte, req *Request) []byte {
	if req == nil || req.Version == V2 {
		return append(dst, `{"jsonrpc":"2.0",`...)
	}
	if req.Version == V11 {
		return append(dst, `{"version":"1.1",`...)
	}
	return append(dst, '{')
}

func appendID(dst []byte, req *Request) []byte {
	dst = append(dst, `,"id":`...)
	if req == nil || req.ID == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, req.ID...)
	}
	return append(dst, '}')
}

// AppendValue appends v as JSON, in the mapping the package documents.
func AppendValue(dst []byte, v any) ([]byte, error) {
	n := len(dst)
	dst, err := appendValue(dst, v, 0)
	if err != nil {
		return dst[:n], err
	}
	return dst, nil
}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case float64:
		return appendFloat(dst, x)
	case string:
		return appendString(dst, x), nil
	case []byte:
		dst = append(dst, `{"`+tagBase64+`":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, x)
		return append(dst, `"}`...), nil
	case time.Time:
		dst = append(dst, `{"`+tagDateTime+`":"`...)
		dst = x.UTC().AppendFormat(dst, time.RFC3339Nano)
		return append(dst, `"}`...), nil
	case []any:
		if depth >= maxEncodeDepth {
			return dst, errors.New("values nest too deep")
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return dst, fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return append(dst, ']'), nil
	case abi.Struct:
		if depth >= maxEncodeDepth {
			return dst, errors.New("values nest too deep")
		}
		dst = append(dst, '{')
		for i := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, x[i].Name)
			dst = append(dst, ':')
			var err error
			if dst, err = appendValue(dst, x[i].Value, depth+1); err != nil {
				return dst, fmt.Errorf(".%s: %w", x[i].Name, err)
			}
		}
		return append(dst, '}'), nil
	}
	return dst, fmt.Errorf("a value of type %s has no JSON form", abi.TypeName(v))
}

// appendFloat writes a double as encoding/json does, plus ".0" when the
// digits alone would read as an integer: a double comes back a double.
func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("%v has no JSON form", f)
	}
	start := len(dst)
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 → 1e-7, as encoding/json writes it.
		if n := len(dst); n-start >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
		return dst, nil
	}
	for _, c := range dst[start:] {
		if c == '.' {
			return dst, nil
		}
	}
	return append(dst, ".0"...), nil
}

const hex = "0123456789abcdef"

// appendString writes s as a JSON string: quotes, backslashes and control
// characters escaped, U+2028 and U+2029 too (JavaScript source cannot hold
// them raw), invalid UTF-8 as U+FFFD, as encoding/json does.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
