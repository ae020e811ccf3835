// Command sum is a benchmark plugin: sum.sum(array of ints) returns their
// total, so a request of any size costs the procedure almost nothing and
// what grows is parsing, the MessagePack crossing and the guest's decoding.
// The harness builds it at start:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o sum.wasm ./bench/guests/sum
package main

import (
	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

func init() {
	guest.Register("sum", sum,
		guest.Help("Returns the sum of an array of ints (an error on overflow)."),
		guest.Signature("int", "array"))
}

func sum(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	values, err := p.Array(0)
	if err != nil {
		return nil, err
	}
	var total int64
	for i, v := range values {
		n, ok := v.(int64)
		if !ok {
			return nil, abi.Faultf(abi.CodeInvalidParams, "sum: element %d is %s, not an int", i, abi.TypeName(v))
		}
		s := total + n
		if (s > total) != (n > 0) {
			return nil, abi.Faultf(abi.CodeInvalidParams, "sum: overflows a 64-bit integer at element %d", i)
		}
		total = s
	}
	return total, nil
}

func main() {}
