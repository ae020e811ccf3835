package xmlrpc

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// The encoder writes the most widely understood dialect: no pretty-printing,
// <int> whenever the value fits in 32 bits (so that clients without the
// i8 extension still read it), <string> always typed, dateTimes in the
// spec's zone-less form, in UTC, with a fraction of a second only when the
// request being answered had one (see AppendResponseTo).

const xmlHeader = `<?xml version="1.0"?>`

// maxEncodeDepth stops a cyclic []any from recursing until the stack
// overflows, which would kill the process rather than fail the call.
const maxEncodeDepth = maxMaxDepth

// AppendRequest appends a methodCall. The server never sends requests;
// this is the inverse of ParseRequest for tests, benchmarks, fuzzing and
// tools. On error dst is returned unchanged. Times keep their fraction of a
// second, with as many digits as it needs (none when it is 0): a request
// must not lose what its caller wrote, and a client that writes no fraction
// gets none back (see AppendResponseTo).
func AppendRequest(dst []byte, method string, params []any) ([]byte, error) {
	n := len(dst)
	if method == "" {
		return dst, errors.New("xmlrpc: cannot encode a request with an empty method name")
	}
	dst = append(dst, xmlHeader+"<methodCall><methodName>"...)
	dst, bad := appendText(dst, method, false)
	if bad >= 0 {
		return dst[:n], fmt.Errorf("xmlrpc: cannot encode method name %s: %s", strconv.Quote(method), badText(method, bad))
	}
	dst = append(dst, "</methodName><params>"...)
	for i, p := range params {
		dst = append(dst, "<param><value>"...)
		var err *encodeError
		if dst, err = appendValue(dst, p, 0, fracExact); err != nil {
			return dst[:n], err.at("params[" + strconv.Itoa(i) + "]")
		}
		dst = append(dst, "</value></param>"...)
	}
	return append(dst, "</params></methodCall>"...), nil
}

// AppendResponse appends a methodResponse holding v. It fails, leaving dst
// unchanged, if v holds a type outside the abi value set, NaN or an
// infinity, a string XML 1.0 cannot carry, a time whose UTC year is not
// 0-9999, a struct with two members of one name, or nesting deeper than
// 10,000: the host must then send a fault instead. Times lose any fraction
// of a second; AppendResponseTo keeps it for a client that sent one.
func AppendResponse(dst []byte, v any) ([]byte, error) {
	return appendResponse(dst, v, 0)
}

// AppendResponseTo is AppendResponse for the response to req: its times
// keep as many digits of their fraction of a second as req's longest
// fraction had (req.TimeDigits), and none when req's times had none. A
// client that sent 01:02:03.456 gets 01:02:03.456 back; one that sent no
// fraction gets none, which matters because some clients (Python's with
// use_builtin_types, Ruby's) cannot read one.
func AppendResponseTo(dst []byte, req *Request, v any) ([]byte, error) {
	return appendResponse(dst, v, req.TimeDigits)
}

func appendResponse(dst []byte, v any, frac int) ([]byte, error) {
	n := len(dst)
	dst = append(dst, xmlHeader+"<methodResponse><params><param><value>"...)
	dst, err := appendValue(dst, v, 0, min(max(frac, 0), 9))
	if err != nil {
		return dst[:n], err.at("result")
	}
	return append(dst, "</value></param></params></methodResponse>"...), nil
}

// AppendFault appends a fault response. It never fails, because it is
// what the server sends when everything else has failed: characters XML
// cannot carry become U+FFFD, and a nil fault becomes an internal error.
// A code beyond 32 bits is written as <i8>, as no better choice exists.
func AppendFault(dst []byte, f *abi.Fault) []byte {
	if f == nil {
		f = &abi.Fault{Code: abi.CodeInternalError, Message: "internal error: nil fault"}
	}
	dst = append(dst, xmlHeader+"<methodResponse><fault><value><struct><member><name>faultCode</name><value>"...)
	dst = appendInt(dst, int64(f.Code))
	dst = append(dst, "</value></member><member><name>faultString</name><value><string>"...)
	dst, _ = appendText(dst, f.Message, true)
	return append(dst, "</string></value></member></struct></value></fault></methodResponse>"...)
}

func appendInt(dst []byte, v int64) []byte {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		dst = append(dst, "<int>"...)
		dst = strconv.AppendInt(dst, v, 10)
		return append(dst, "</int>"...)
	}
	dst = append(dst, "<i8>"...)
	dst = strconv.AppendInt(dst, v, 10)
	return append(dst, "</i8>"...)
}

// appendValue writes the content of a <value>.
// frac is the number of digits of a second's fraction dateTimes get (0-9),
// or fracExact.
func appendValue(dst []byte, v any, depth, frac int) ([]byte, *encodeError) {
	switch x := v.(type) {
	case nil:
		return append(dst, "<nil/>"...), nil
	case bool:
		if x {
			return append(dst, "<boolean>1</boolean>"...), nil
		}
		return append(dst, "<boolean>0</boolean>"...), nil
	case int64:
		return appendInt(dst, x), nil
	case float64:
		return appendDouble(dst, x)
	case string:
		return appendString(dst, x)
	case []byte:
		return appendBase64(dst, x), nil
	case time.Time:
		return appendTime(dst, x, frac)
	case abi.Encoded:
		return appendEncoded(dst, x, depth, frac)
	case []any:
		return appendArray(dst, x, depth, frac)
	case abi.Struct:
		return appendStruct(dst, x, depth, frac)
	default:
		return dst, &encodeError{msg: fmt.Sprintf("type %T is outside the abi value set", v)}
	}
}

// appendDouble, appendString, appendBase64 and appendTime write the scalars both a Go
// value and an abi.Encoded hold (encode_encoded.go), in one way.

func appendDouble(dst []byte, x float64) ([]byte, *encodeError) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return dst, &encodeError{msg: strconv.FormatFloat(x, 'g', -1, 64) + " has no XML-RPC form"}
	}
	// Shortest decimal that reads back as the same float64, with no
	// exponent because the spec allows none.
	dst = append(dst, "<double>"...)
	dst = strconv.AppendFloat(dst, x, 'f', -1, 64)
	return append(dst, "</double>"...), nil
}

func appendString(dst []byte, x string) ([]byte, *encodeError) {
	dst = append(dst, "<string>"...)
	var bad int
	dst, bad = appendText(dst, x, false)
	if bad >= 0 {
		return dst, &encodeError{msg: badText(x, bad)}
	}
	return append(dst, "</string>"...), nil
}

func appendBase64(dst, x []byte) []byte {
	dst = append(dst, "<base64>"...)
	dst = base64.StdEncoding.AppendEncode(dst, x)
	return append(dst, "</base64>"...)
}

func appendTime(dst []byte, x time.Time, frac int) ([]byte, *encodeError) {
	dst = append(dst, "<dateTime.iso8601>"...)
	var ok bool
	dst, ok = appendDateTime(dst, x, frac)
	if !ok {
		return dst, &encodeError{msg: "time " + x.UTC().String() + " has a year outside 0-9999"}
	}
	return append(dst, "</dateTime.iso8601>"...), nil
}

func appendArray(dst []byte, a []any, depth, frac int) ([]byte, *encodeError) {
	if depth >= maxEncodeDepth {
		return dst, &encodeError{msg: "nested more than " + strconv.Itoa(maxEncodeDepth) + " deep (is it cyclic?)"}
	}
	dst = append(dst, "<array><data>"...)
	for i, e := range a {
		dst = append(dst, "<value>"...)
		var err *encodeError
		if dst, err = appendValue(dst, e, depth+1, frac); err != nil {
			return dst, err.at("[" + strconv.Itoa(i) + "]")
		}
		dst = append(dst, "</value>"...)
	}
	return append(dst, "</data></array>"...), nil
}

func appendStruct(dst []byte, s abi.Struct, depth, frac int) ([]byte, *encodeError) {
	if depth >= maxEncodeDepth {
		return dst, &encodeError{msg: "nested more than " + strconv.Itoa(maxEncodeDepth) + " deep (is it cyclic?)"}
	}
	var dups dupFinder
	dst = append(dst, "<struct>"...)
	for i := range s {
		m := &s[i]
		if dups.addMember(m.Name, s[:i]) {
			return dst, (&encodeError{msg: "struct has two members of this name"}).at("." + m.Name)
		}
		dst = append(dst, "<member><name>"...)
		var bad int
		dst, bad = appendText(dst, m.Name, false)
		if bad >= 0 {
			return dst, &encodeError{msg: "member name " + strconv.Quote(m.Name) + ": " + badText(m.Name, bad)}
		}
		dst = append(dst, "</name><value>"...)
		var err *encodeError
		if dst, err = appendValue(dst, m.Value, depth+1, frac); err != nil {
			return dst, err.at("." + m.Name)
		}
		dst = append(dst, "</value></member>"...)
	}
	return append(dst, "</struct>"...), nil
}
