package jsonrpc

import (
	"strings"
	"testing"
)

var addBody = []byte(`{"jsonrpc":"2.0","method":"add","params":[3,4],"id":1}`)

func BenchmarkParseAdd(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(addBody, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendResultInt(b *testing.B) {
	b.ReportAllocs()
	req := Request{Version: V2, ID: []byte("1")}
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf, _ = AppendResult(buf[:0], &req, int64(7))
	}
}

// BenchmarkParseMillionInts is the largest params list limits.max_items
// lets through by default: its time and memory bound what one body costs.
func BenchmarkParseMillionInts(b *testing.B) {
	body := []byte(`{"jsonrpc":"2.0","method":"add","params":[[` + strings.TrimSuffix(strings.Repeat("1,", 999_990), ",") + `]],"id":1}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Parse(body, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
