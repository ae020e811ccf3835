package conformance_test

import (
	"math"
	"strings"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// valueCase is one value sent to echo and type_of: what is sent (a value,
// or xmlText for an exact wire form), what must come back, and the type
// name type_of must give.
type valueCase struct {
	name string
	send any
	want any
	typ  string
}

// same is a case whose value comes back as it was sent.
func same(name string, v any, typ string) valueCase { return valueCase{name, v, v, typ} }

func date(year int, month time.Month, day, hour, min, sec, nsec int) time.Time {
	return time.Date(year, month, day, hour, min, sec, nsec, time.UTC)
}

// valueCases are every XML-RPC type at its edges.
func valueCases() []valueCase {
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	deep := any(int64(1))
	for range 100 {
		deep = []any{deep}
	}
	many := make([]any, 10000)
	for i := range many {
		many[i] = int64(i * 7919) // spread over every integer size
	}
	return []valueCase{
		same("int_zero", int64(0), "int"),
		same("int_negative", int64(-42), "int"),
		same("int32_max", int64(math.MaxInt32), "int"),
		same("int32_min", int64(math.MinInt32), "int"),
		{"i4", xmlText("<i4>-17</i4>"), int64(-17), "int"},
		{"i8_small", xmlText("<i8>5</i8>"), int64(5), "int"},
		same("i8_above_int32", int64(math.MaxInt32)+1, "int"),
		same("i8_below_int32", int64(math.MinInt32)-1, "int"),
		same("i8_2_40", int64(1)<<40, "int"),
		same("int64_max", int64(math.MaxInt64), "int"),
		same("int64_min", int64(math.MinInt64), "int"),
		same("boolean_true", true, "boolean"),
		same("boolean_false", false, "boolean"),
		same("double_zero", 0.0, "double"),
		same("double_negative", -0.5, "double"),
		same("double_whole", 3.0, "double"),
		same("double_tenth", 0.1, "double"),
		same("double_large", 1e308, "double"),
		same("double_smallest", 5e-324, "double"),
		same("double_max", math.MaxFloat64, "double"),
		same("string_empty", "", "string"),
		same("string_ascii", "hello, world", "string"),
		same("string_markup", `<a href="x">&amp; 'b'</a>`, "string"),
		same("string_whitespace", "  two\nlines\tand spaces  ", "string"),
		same("string_utf8", "héllo, 世界 🎉 ∑ ß", "string"),
		same("string_100k", strings.Repeat("0123456789abcdé世🎉\n", 100<<10/24), "string"),
		{"string_untyped", xmlText("untyped text"), "untyped text", "string"},
		same("base64_empty", []byte{}, "base64"),
		{"base64_empty_element", xmlText("<base64/>"), []byte{}, "base64"},
		same("base64_every_byte", every, "base64"),
		same("datetime", date(2001, 2, 3, 4, 5, 6, 0), "dateTime.iso8601"),
		same("datetime_millis", date(2001, 2, 3, 4, 5, 6, 789_000_000), "dateTime.iso8601"),
		same("datetime_nanos", date(1999, 12, 31, 23, 59, 59, 123_456_789), "dateTime.iso8601"),
		same("datetime_epoch", date(1970, 1, 1, 0, 0, 0, 0), "dateTime.iso8601"),
		// Before 1970 and after 2514 a MessagePack timestamp needs its
		// 12-byte form (negative or 34-bit-overflowing seconds).
		same("datetime_before_1970", date(1969, 7, 20, 20, 17, 40, 500_000_000), "dateTime.iso8601"),
		same("datetime_year_1", date(1, 1, 1, 0, 0, 0, 0), "dateTime.iso8601"),
		same("datetime_year_9999", date(9999, 12, 31, 23, 59, 59, 999_999_999), "dateTime.iso8601"),
		same("array_empty", []any{}, "array"),
		same("array_mixed", []any{int64(1), "two", 3.0, true, nil, []byte{0xFF}, date(2020, 2, 29, 12, 0, 0, 0),
			abi.Struct{{Name: "k", Value: "v"}}}, "array"),
		same("array_nested_100", deep, "array"),
		same("array_10000", many, "array"),
		same("struct_empty", abi.Struct{}, "struct"),
		same("struct_unsorted", abi.Struct{{Name: "zeta", Value: int64(1)}, {Name: "alpha", Value: "a"},
			{Name: "Mid", Value: 2.5}, {Name: "beta", Value: true}, {Name: "_", Value: nil}}, "struct"),
		same("struct_nested", abi.Struct{{Name: "outer", Value: abi.Struct{{Name: "inner", Value: abi.Struct{
			{Name: "list", Value: []any{int64(1), abi.Struct{{Name: "x", Value: nil}}}},
			{Name: "empty", Value: abi.Struct{}}}}}}}, "struct"),
		same("struct_utf8_names", abi.Struct{{Name: "é", Value: int64(1)}, {Name: "名前", Value: "x"},
			{Name: "with space & <markup>", Value: []any{}}}, "struct"),
		same("nil", nil, "nil"),
	}
}

// ints are n ints, for echo_all.
func mixedParams(n int) []any {
	kinds := []any{int64(1), "two", 3.5, true, nil, []byte("six"), date(2007, 7, 7, 7, 7, 7, 0),
		[]any{int64(8)}, abi.Struct{{Name: "nine", Value: int64(9)}}, int64(1) << 50}
	out := make([]any, n)
	for i := range out {
		out[i] = kinds[i%len(kinds)]
	}
	return out
}

// addCase is one call of add: its two (or other count of) params and the
// sum, or wantInvalid for an invalid-params fault.
type addCase struct {
	name   string
	params []any
	want   any
}

// invalidParams marks a call that must fail with CodeInvalidParams.
type invalidParams struct{}

var wantInvalid = invalidParams{}

func addCases() []addCase {
	dt := date(2001, 2, 3, 4, 5, 6, 0)
	return []addCase{
		{"int_int", []any{int64(2), int64(3)}, int64(5)},
		{"int_int_zero", []any{int64(-7), int64(7)}, int64(0)},
		{"int_int_past_int32", []any{int64(math.MaxInt32), int64(1)}, int64(math.MaxInt32) + 1},
		{"i8_i8", []any{int64(1) << 40, int64(1) << 40}, int64(1) << 41},
		{"int_int_to_max", []any{int64(math.MaxInt64 - 1), int64(1)}, int64(math.MaxInt64)},
		{"int_int_to_min", []any{int64(math.MinInt64 + 1), int64(-1)}, int64(math.MinInt64)},
		{"int_int_overflow", []any{int64(math.MaxInt64), int64(1)}, wantInvalid},
		{"int_int_underflow", []any{int64(math.MinInt64), int64(-1)}, wantInvalid},
		{"int_int_overflow_large", []any{int64(math.MaxInt64), int64(math.MaxInt64)}, wantInvalid},
		{"double_double", []any{1.5, 2.25}, 3.75},
		{"double_double_rounding", []any{0.1, 0.2}, 0.30000000000000004},
		{"double_double_cancel", []any{1e308, -1e308}, 0.0},
		{"double_double_subnormal", []any{5e-324, 5e-324}, 1e-323},
		{"double_double_overflow", []any{1e308, 1e308}, wantInvalid},
		{"double_double_overflow_negative", []any{-1e308, -1e308}, wantInvalid},
		{"int_double", []any{int64(2), 0.5}, 2.5},
		{"double_int", []any{0.5, int64(2)}, 2.5},
		{"int_double_whole", []any{int64(1), 2.0}, 3.0},
		{"int_double_rounds_the_int", []any{int64(1)<<53 + 1, 0.0}, float64(1 << 53)},
		{"string_string", []any{"foo", "bar"}, "foobar"},
		{"string_string_empty", []any{"", ""}, ""},
		{"string_string_utf8", []any{"héllo, ", "世界 🎉"}, "héllo, 世界 🎉"},
		{"base64_base64", []any{[]byte{0, 1}, []byte{2, 0xFF}}, []byte{0, 1, 2, 0xFF}},
		{"base64_base64_empty", []any{[]byte{}, []byte{}}, []byte{}},
		{"array_array", []any{[]any{int64(1), "a"}, []any{2.5, nil, []any{true}}},
			[]any{int64(1), "a", 2.5, nil, []any{true}}},
		{"array_array_empty", []any{[]any{}, []any{}}, []any{}},
		{"int_string", []any{int64(1), "1"}, wantInvalid},
		{"string_int", []any{"1", int64(1)}, wantInvalid},
		{"double_string", []any{1.5, "1"}, wantInvalid},
		{"boolean_boolean", []any{true, true}, wantInvalid},
		{"int_boolean", []any{int64(1), true}, wantInvalid},
		{"nil_nil", []any{nil, nil}, wantInvalid},
		{"int_nil", []any{int64(1), nil}, wantInvalid},
		{"struct_struct", []any{abi.Struct{{Name: "a", Value: int64(1)}}, abi.Struct{{Name: "b", Value: int64(2)}}}, wantInvalid},
		{"datetime_datetime", []any{dt, dt}, wantInvalid},
		{"string_base64", []any{"a", []byte("a")}, wantInvalid},
		{"array_string", []any{[]any{int64(1)}, "a"}, wantInvalid},
		{"array_int", []any{[]any{int64(1)}, int64(1)}, wantInvalid},
		{"no_params", []any{}, wantInvalid},
		{"one_param", []any{int64(1)}, wantInvalid},
		{"three_params", []any{int64(1), int64(2), int64(3)}, wantInvalid},
	}
}

// theMade is what made returns: the contract's struct.
func theMade() abi.Struct {
	return abi.Struct{
		{Name: "int", Value: int64(42)},
		{Name: "i8", Value: int64(1) << 40},
		{Name: "negative", Value: int64(-7)},
		{Name: "boolean", Value: true},
		{Name: "double", Value: 1.5},
		{Name: "string", Value: "héllo, 世界"},
		{Name: "empty", Value: ""},
		{Name: "datetime", Value: date(2001, 2, 3, 4, 5, 6, 789_000_000)},
		{Name: "base64", Value: []byte{0x00, 0x01, 0x02, 0xFF}},
		{Name: "array", Value: []any{int64(1), "two", 3.0}},
		{Name: "struct", Value: abi.Struct{{Name: "a", Value: int64(1)}, {Name: "b", Value: []any{true}}}},
		{Name: "nil", Value: nil},
	}
}

// invalidCall is a call with params of the wrong type or number.
type invalidCall struct {
	method string
	params []any
}

func (c invalidCall) String() string {
	types := make([]string, len(c.params))
	for i, p := range c.params {
		types[i] = abi.TypeName(p)
	}
	return c.method + "(" + strings.Join(types, ",") + ")"
}

func invalidCalls() []invalidCall {
	b := []byte("v")
	return []invalidCall{
		{"echo", nil}, {"echo", []any{int64(1), int64(2)}},
		{"type_of", nil}, {"type_of", []any{"a", "b"}},
		{"made", []any{int64(1)}},
		{"fault", nil}, {"fault", []any{int64(1)}}, {"fault", []any{"1", "message"}}, {"fault", []any{int64(1), int64(2)}},
		{"fault", []any{int64(1), "message", "extra"}},
		{"trap", []any{int64(1)}},
		{"kv_put", []any{"k"}}, {"kv_put", []any{int64(1), b}}, {"kv_put", []any{"k", "a string"}},
		{"kv_get", nil}, {"kv_get", []any{b}}, {"kv_get", []any{"k", "k"}},
		{"kv_delete", nil}, {"kv_delete", []any{true}},
		{"kv_put_then_fault", []any{"k"}}, {"kv_put_then_fault", []any{"k", int64(1)}},
		{"kv_count", nil}, {"kv_count", []any{nil}},
		{"config", nil}, {"config", []any{int64(1)}},
		{"now", []any{"x"}},
		{"log", nil}, {"log", []any{int64(5)}}, {"log", []any{"a", "b"}},
	}
}
