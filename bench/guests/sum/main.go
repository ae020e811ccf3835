// Command sum is a benchmark plugin: sum.sum(array of ints) returns their
// total, so a request of any size costs the procedure almost nothing and
// what grows is parsing, the MessagePack crossing and the guest's decoding.
// The harness builds it at start:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o sum.wasm ./bench/guests/sum
package main

import (
	"strconv"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

func init() {
	guest.RegisterTyped("sum", sum,
		guest.Help("Returns the sum of an array of ints (an error on overflow)."),
		guest.Signature("int", "array"))
}

// ints is sum's buffer, reused from call to call (the ABI runs one call
// at a time per instance).
var ints []int64

// sum reads the ints in place (RegisterTyped, Value.Ints): no []any, no
// boxed int per element and no function call per element, which inside
// wasm are most of what a large request costs.
func sum(args guest.Args, out *guest.Writer) error {
	if err := args.Want(1); err != nil {
		return err
	}
	v, err := args.At(0)
	if err != nil {
		return err
	}
	values, err := v.Ints(ints[:0])
	if cap(values) <= 1<<20 {
		ints = values // keep it for the next call unless huge
	}
	if err != nil {
		return notInt(v, err)
	}
	var total int64
	for i, n := range values {
		s := total + n
		if (s > total) != (n > 0) {
			return invalid("sum: overflows a 64-bit integer at element " + strconv.Itoa(i))
		}
		total = s
	}
	out.Int(total)
	return nil
}

// notInt words the fault for an element that is not an int as sum always
// has; err is Ints' fault, returned as it is when v is not an array.
func notInt(v guest.Value, err error) error {
	a, aerr := v.Array()
	if aerr != nil {
		return err
	}
	for i := 0; ; i++ {
		e, ok := a.Next()
		if !ok {
			return err
		}
		if _, ierr := e.Int(); ierr != nil {
			return invalid("sum: element " + strconv.Itoa(i) + " is " + e.Type() + ", not an int")
		}
	}
}

// invalid is the fault for params sum cannot use, put together with
// strconv rather than abi.Faultf, whose formatter adds 0.1 MB to a plugin.
func invalid(msg string) error {
	return &abi.Fault{Code: abi.CodeInvalidParams, Message: msg}
}

func main() {}
