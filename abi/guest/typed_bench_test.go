package guest

import (
	"testing"

	"github.com/rpchost/rpchost/abi"
)

// The sum of 5,000 ints through either API, natively: the typed one
// should allocate nothing per call.
//
//	go test ./abi/guest -run '^$' -bench SumOf -benchmem
func benchSum(b *testing.B, m *method) {
	r := newRegistry()
	if err := r.add(m, nil); err != nil {
		b.Fatal(err)
	}
	ints := make([]any, 5000)
	for i := range ints {
		ints[i] = int64(i * 1000)
	}
	in, err := abi.AppendCall(nil, m.name, []any{ints})
	if err != nil {
		b.Fatal(err)
	}
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		out = r.call(out[:0], in)
	}
	if v, err := abi.DecodeResult(out); err != nil || v != int64(5000*4999/2*1000) {
		b.Fatalf("sum = %v, %v", v, err)
	}
}

func BenchmarkSumOfIntsParams(b *testing.B) {
	benchSum(b, &method{name: "sum", handler: func(p Params) (any, error) {
		a, err := p.Array(0)
		if err != nil {
			return nil, err
		}
		var total int64
		for _, v := range a {
			total += v.(int64)
		}
		return total, nil
	}})
}

func BenchmarkSumOfIntsTyped(b *testing.B) {
	benchSum(b, &method{name: "sum", typed: func(args Args, out *Writer) error {
		v, err := args.At(0)
		if err != nil {
			return err
		}
		a, err := v.Array()
		if err != nil {
			return err
		}
		var total int64
		for e, ok := a.Next(); ok; e, ok = a.Next() {
			n, err := e.Int()
			if err != nil {
				return err
			}
			total += n
		}
		out.Int(total)
		return nil
	}})
}
