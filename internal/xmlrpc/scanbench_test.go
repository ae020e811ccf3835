package xmlrpc

import (
	"strconv"
	"testing"
)

// The benchmarks below time ParseRequestEncoded, the parse a call to a
// guest takes, on the requests of issue 17's figures. Measure them with
// -benchmem and, on a shared machine, with callgrind's instruction counts.

func benchParseEncoded(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequestEncoded(body, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// pythonInts is sum(array of n ints) as bench's size part sends it:
// Python's layout, small values.
func pythonInts(n int) []byte {
	b := []byte("<?xml version='1.0'?>\n<methodCall>\n<methodName>sum</methodName>\n<params>\n<param>\n<value><array><data>\n")
	for i := range n {
		b = append(b, "<value><int>"...)
		b = strconv.AppendInt(b, int64(i%100), 10)
		b = append(b, "</int></value>\n"...)
	}
	return append(b, "</data></array></value>\n</param>\n</params>\n</methodCall>\n"...)
}

func BenchmarkParseEncodedInts1k(b *testing.B)   { benchParseEncoded(b, pythonInts(1000)) }
func BenchmarkParseEncodedInts100k(b *testing.B) { benchParseEncoded(b, pythonInts(100_000)) }

func BenchmarkParseEncodedStructs(b *testing.B) {
	body, _ := AppendRequest(nil, "validator1.arrayOfStructsTest", structHeavy())
	benchParseEncoded(b, body)
}
