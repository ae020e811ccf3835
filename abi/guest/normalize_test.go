package guest

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

func TestNormalize(t *testing.T) {
	now := time.Unix(900684535, 0).UTC()
	for _, tc := range []struct {
		in, want any
	}{
		{nil, nil},
		{true, true},
		{int64(-5), int64(-5)},
		{int(7), int64(7)},
		{int8(-8), int64(-8)},
		{int16(16), int64(16)},
		{int32(-32), int64(-32)},
		{uint(1), int64(1)},
		{uint8(8), int64(8)},
		{uint16(16), int64(16)},
		{uint32(math.MaxUint32), int64(math.MaxUint32)},
		{uint64(math.MaxInt64), int64(math.MaxInt64)},
		{float32(1.5), 1.5},
		{2.5, 2.5},
		{"s", "s"},
		{[]byte("b"), []byte("b")},
		{now, now},
		{[]string{"a", "b"}, []any{"a", "b"}},
		{[]string(nil), []any{}},
		{[]int{1, 2}, []any{int64(1), int64(2)}},
		{[]int32{3}, []any{int64(3)}},
		{[]int64{4}, []any{int64(4)}},
		{[]uint32{5}, []any{int64(5)}},
		{[]float32{0.5}, []any{0.5}},
		{[]float64{0.25}, []any{0.25}},
		{[]bool{true}, []any{true}},
		{[][]byte{{1}}, []any{[]byte{1}}},
		{[]time.Time{now}, []any{now}},
		{[]abi.Struct{{{Name: "a", Value: 1}}}, []any{abi.Struct{{Name: "a", Value: int64(1)}}}},
		{[][]any{{1}}, []any{[]any{int64(1)}}},
		{[]map[string]any{{"a": 1}}, []any{abi.Struct{{Name: "a", Value: int64(1)}}}},
		{map[string]any{"b": 1, "a": []int{2}}, abi.Struct{{Name: "a", Value: []any{int64(2)}}, {Name: "b", Value: int64(1)}}},
		{map[string]string{"y": "1", "x": "2"}, abi.Struct{{Name: "x", Value: "2"}, {Name: "y", Value: "1"}}},
		{map[string]int{"n": 1}, abi.Struct{{Name: "n", Value: int64(1)}}},
		{map[string]int64{"n": 1}, abi.Struct{{Name: "n", Value: int64(1)}}},
		{map[string]float64{"f": 1}, abi.Struct{{Name: "f", Value: 1.0}}},
		{map[string]bool{"b": true}, abi.Struct{{Name: "b", Value: true}}},
		{map[string][]any{"a": {1}}, abi.Struct{{Name: "a", Value: []any{int64(1)}}}},
		{map[string]abi.Struct{"s": {}}, abi.Struct{{Name: "s", Value: abi.Struct{}}}},
		{map[string]any(nil), abi.Struct{}},
		{[]any{1, "x", []any{int8(2)}}, []any{int64(1), "x", []any{int64(2)}}},
		{abi.Struct{{Name: "a", Value: 1}, {Name: "b", Value: "s"}}, abi.Struct{{Name: "a", Value: int64(1)}, {Name: "b", Value: "s"}}},
	} {
		got, _, err := normalize(tc.in, 0)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("normalize(%#v) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
}

func TestNormalizeKeepsInputIntact(t *testing.T) {
	in := []any{1, abi.Struct{{Name: "a", Value: int16(2)}}}
	if _, _, err := normalize(in, 0); err != nil {
		t.Fatal(err)
	}
	if in[0] != 1 || in[1].(abi.Struct)[0].Value != int16(2) {
		t.Fatalf("normalize changed its input: %#v", in)
	}
}

func TestNormalizeDoesNotCopyValues(t *testing.T) {
	v := any([]any{int64(1), "s", abi.Struct{{Name: "a", Value: []any{true, nil, 2.5}}}})
	if allocs := testing.AllocsPerRun(100, func() { _, _, _ = normalize(v, 0) }); allocs != 0 {
		t.Fatalf("normalize of a value already in the set allocates %v times", allocs)
	}
	got, changed, _ := normalize(v, 0)
	if changed || &got.([]any)[0] != &v.([]any)[0] {
		t.Fatal("normalize copied a value already in the set")
	}
}

func TestNormalizeErrors(t *testing.T) {
	deep := any(int64(1))
	for i := 0; i < abi.MaxDepth+1; i++ {
		deep = []any{deep}
	}
	cyclic := []any{nil}
	cyclic[0] = cyclic
	type celsius float64
	for _, tc := range []struct {
		in   any
		want string
	}{
		{struct{}{}, "result: Go type struct {} is not an XML-RPC value"},
		{celsius(1), "Go type guest.celsius is not an XML-RPC value"},
		{[]any{1, map[int]int{}}, "result[1]: Go type map[int]int"},
		{map[string]any{"k": []any{chan int(nil)}}, "result.k[0]: Go type chan int"},
		{abi.Struct{{Name: "x", Value: uint64(math.MaxUint64)}}, "result.x: integer 18446744073709551615 does not fit in an <i8>"},
		{uint(math.MaxUint64), "does not fit"},
		{math.NaN(), "double NaN cannot be sent"},
		{[]float64{math.Inf(1)}, "result[0]: double +Inf cannot be sent"},
		{float32(math.Inf(-1)), "double -Inf cannot be sent"},
		{abi.Member{Name: "a"}, "an abi.Member is not a value"},
		{&abi.Fault{}, "return it as the error"},
		{deep, "nest deeper than 128"},
		{cyclic, "nest deeper than 128"},
	} {
		_, _, err := normalize(tc.in, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("normalize(%T): err = %v, want %q", tc.in, err, tc.want)
		}
	}
}
