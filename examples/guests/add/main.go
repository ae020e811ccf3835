// Command add is the rpchost plugin behind add.add: Python's + for XML-RPC
// values. Build it with `go run ./examples/build`.
package main

import (
	"math"
	"strconv"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

func init() {
	guest.Register("add", add,
		guest.Help("Adds two values like Python's +: int+int gives int (an error on overflow), "+
			"a double with an int or a double gives a double, and string+string, base64+base64 "+
			"or array+array concatenate."),
		guest.Signature("int", "int", "int"),
		guest.Signature("i8", "i8", "i8"),
		guest.Signature("double", "double", "double"),
		guest.Signature("double", "int", "double"),
		guest.Signature("double", "double", "int"),
		guest.Signature("string", "string", "string"),
		guest.Signature("base64", "base64", "base64"),
		guest.Signature("array", "array", "array"),
	)
}

func add(p guest.Params) (any, error) {
	if err := p.Want(2); err != nil {
		return nil, err
	}
	switch a := p[0].(type) {
	case int64:
		switch b := p[1].(type) {
		case int64:
			sum := a + b
			if (sum > a) != (b > 0) {
				return nil, invalid("add: " + strconv.FormatInt(a, 10) + " + " + strconv.FormatInt(b, 10) +
					" overflows a 64-bit integer")
			}
			return sum, nil
		case float64:
			return finite(float64(a) + b)
		}
	case float64:
		switch b := p[1].(type) {
		case float64:
			return finite(a + b)
		case int64:
			return finite(a + float64(b))
		}
	case string:
		if b, ok := p[1].(string); ok {
			return a + b, nil
		}
	case []byte:
		if b, ok := p[1].([]byte); ok {
			return concat(a, b), nil
		}
	case []any:
		if b, ok := p[1].([]any); ok {
			return concat(a, b), nil
		}
	}
	return nil, invalid("add: cannot add " + abi.TypeName(p[0]) + " and " + abi.TypeName(p[1]))
}

// invalid is the fault for params add cannot use. Messages are put together
// with strconv rather than abi.Faultf, whose formatter would add about
// 0.1 MB to the plugin.
func invalid(msg string) error {
	return &abi.Fault{Code: abi.CodeInvalidParams, Message: msg}
}

// concat returns a new slice holding a then b (never nil: an empty array
// stays an array).
func concat[T any](a, b []T) []T {
	return append(append(make([]T, 0, len(a)+len(b)), a...), b...)
}

// finite refuses a sum XML-RPC cannot carry (1e308 + 1e308).
func finite(f float64) (any, error) {
	if math.IsInf(f, 0) {
		return nil, invalid("add: the sum overflows a double")
	}
	return f, nil
}

func main() {}
