package abi

import (
	"testing"
	"time"
)

// The per-call hot path of the server: the host encodes a Call and decodes
// a Result; the guest does the reverse.

func BenchmarkAppendCallAdd(b *testing.B) {
	params := []any{int64(3), int64(4)}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendCall(buf[:0], "add", params)
	}
}

func BenchmarkDecodeCallAdd(b *testing.B) {
	in, _ := AppendCall(nil, "add", []any{int64(3), int64(4)})
	b.ReportAllocs()
	for b.Loop() {
		_, _, _ = DecodeCall(in)
	}
}

func BenchmarkAppendResultInt(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendResult(buf[:0], int64(7))
	}
}

func BenchmarkDecodeResultInt(b *testing.B) {
	in, _ := AppendResult(nil, int64(7))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = DecodeResult(in)
	}
}

func BenchmarkDecodeResultFault(b *testing.B) {
	in := AppendFaultResult(nil, &Fault{Code: CodeInvalidParams, Message: "add: cannot add int and string"})
	b.ReportAllocs()
	for b.Loop() {
		_, _ = DecodeResult(in)
	}
}

// manyTypes is a validator1-like mixed value: a struct of every type and
// an array of 100 strings.
func manyTypes() any {
	a := make([]any, 100)
	for i := range a {
		a[i] = "Alabama"
	}
	return Struct{{"int", int64(1 << 20)}, {"bool", true}, {"string", "hello, world"}, {"double", 3.25},
		{"time", time.Unix(900684535, 0)}, {"base64", []byte("you can read this")}, {"nil", nil},
		{"array", a}, {"struct", Struct{{"moe", int64(1)}, {"larry", int64(2)}, {"curly", int64(3)}}}}
}

func BenchmarkAppendValueMixed(b *testing.B) {
	v := manyTypes()
	buf, _ := AppendValue(nil, v)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendValue(buf[:0], v)
	}
}

func BenchmarkDecodeValueMixed(b *testing.B) {
	in, _ := AppendValue(nil, manyTypes())
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		_, _, _ = DecodeValue(in)
	}
}
