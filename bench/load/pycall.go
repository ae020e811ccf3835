package load

import (
	"fmt"
	"strconv"
)

// PythonCall encodes a methodCall byte for byte as Python's
// xmlrpc.client.dumps((params...), method) does, for the parameter types
// the benchmarks use: int64 and []int64. Python writes every value on a
// line of its own and declares no encoding; servers must parse exactly this.
func PythonCall(method string, params ...any) []byte {
	b := []byte("<?xml version='1.0'?>\n<methodCall>\n<methodName>")
	b = append(b, method...)
	b = append(b, "</methodName>\n<params>\n"...)
	for _, p := range params {
		b = append(b, "<param>\n"...)
		b = appendPythonValue(b, p)
		b = append(b, "</param>\n"...)
	}
	return append(b, "</params>\n</methodCall>\n"...)
}

func appendPythonValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case int64:
		b = append(b, "<value><int>"...)
		b = strconv.AppendInt(b, x, 10)
		return append(b, "</int></value>\n"...)
	case []int64:
		b = append(b, "<value><array><data>\n"...)
		for _, e := range x {
			b = appendPythonValue(b, e)
		}
		return append(b, "</data></array></value>\n"...)
	}
	panic(fmt.Sprintf("PythonCall: %T is not a benchmark parameter type", v))
}
