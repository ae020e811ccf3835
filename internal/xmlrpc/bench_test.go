package xmlrpc

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

func benchParse(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequest(body, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRequestAdd is the typical small call, as Python sends it.
func BenchmarkParseRequestAdd(b *testing.B) { benchParse(b, []byte(pyAdd)) }

// BenchmarkParseRequestAddCompact is the same call without line breaks.
func BenchmarkParseRequestAddCompact(b *testing.B) {
	body, _ := AppendRequest(nil, "add", []any{int64(3), int64(4)})
	benchParse(b, body)
}

func BenchmarkParseRequestIntArray100k(b *testing.B) {
	a := make([]any, 100_000)
	for i := range a {
		a[i] = int64(i * 7919)
	}
	body, _ := AppendRequest(nil, "sum", []any{a})
	benchParse(b, body)
}

// structHeavy is validator1.arrayOfStructsTest-like: 1,000 structs with
// the same member names, plus strings, doubles and dates.
func structHeavy() []any {
	a := make([]any, 1000)
	for i := range a {
		a[i] = abi.Struct{
			{Name: "moe", Value: int64(i)},
			{Name: "larry", Value: int64(i + 1)},
			{Name: "curly", Value: int64(i + 2)},
			{Name: "name", Value: "item " + strconv.Itoa(i)},
			{Name: "price", Value: float64(i) + 0.25},
			{Name: "when", Value: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		}
	}
	return []any{a}
}

func BenchmarkParseRequestStructs(b *testing.B) {
	body, _ := AppendRequest(nil, "validator1.arrayOfStructsTest", structHeavy())
	benchParse(b, body)
}

func BenchmarkParseRequestStrings(b *testing.B) {
	a := make([]any, 1000)
	for i := range a {
		a[i] = strings.Repeat("text & more ", i%20)
	}
	body, _ := AppendRequest(nil, "echo", []any{a})
	benchParse(b, body)
}

func BenchmarkParseResponse(b *testing.B) {
	body, _ := AppendResponse(nil, int64(7))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResponse(body, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchAppend(b *testing.B, v any) {
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = AppendResponse(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendResponseInt(b *testing.B) { benchAppend(b, int64(7)) }

func BenchmarkAppendResponseStructs(b *testing.B) { benchAppend(b, structHeavy()[0]) }

func BenchmarkAppendResponseIntArray100k(b *testing.B) {
	a := make([]any, 100_000)
	for i := range a {
		a[i] = int64(i * 7919)
	}
	benchAppend(b, a)
}

func BenchmarkAppendFault(b *testing.B) {
	f := &abi.Fault{Code: abi.CodeMethodNotFound, Message: "method not found: nope.add"}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendFault(buf[:0], f)
	}
}
