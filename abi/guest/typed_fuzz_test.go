package guest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

// FuzzCheckAgreesWithDecodeValue: check accepts exactly what
// abi.DecodeValue accepts, never panicking; what it accepts the accessors
// read as the decoder does, and the Writer writes back as AppendValue
// writes the decoded value.
func FuzzCheckAgreesWithDecodeValue(f *testing.F) {
	for _, v := range typedSamples {
		b, _ := abi.AppendValue(nil, v)
		f.Add(b)
	}
	for _, b := range [][]byte{{0xca, 0x3f, 0xc0, 0, 0}, {0xd0, 0x05}, {0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0},
		{0xd7, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, {0xc7, 12, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},
		{0x82, 0xa1, 'a', 1, 0xa1, 'a', 2}, {0xde, 0, 1, 0xa0, 0xc0}, {0xc1}, {0xd4, 0xff, 0}} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, rest, derr := abi.DecodeValue(b)
		size, cerr := check(b, 0, 0)
		if (derr == nil) != (cerr == nil) {
			t.Fatalf("% x: DecodeValue err = %v, check err = %v", b, derr, cerr)
		}
		if derr != nil {
			return
		}
		if size != len(b)-len(rest) || skip(b) != size {
			t.Fatalf("% x: check size %d, skip %d, decoder read %d", b, size, skip(b), len(b)-len(rest))
		}
		v := Value{b: b}
		// Compared encoded, as NaN is not equal to itself.
		got := anyOf(t, v)
		genc, err1 := abi.AppendValue(nil, got)
		enc, err2 := abi.AppendValue(nil, want)
		if err1 != nil || err2 != nil || !bytes.Equal(genc, enc) {
			t.Fatalf("% x: read %#v, decoded %#v", b, got, want)
		}
		if v.Type() != abi.TypeName(want) {
			t.Fatalf("% x: Type %s, TypeName %s", b, v.Type(), abi.TypeName(want))
		}
		var w Writer
		writeOf(&w, v)
		if err := w.finish(); err != nil {
			if strings.Contains(err.Error(), "XML-RPC has no NaN or infinity") {
				return // the decoder takes them, a result must not carry them
			}
			t.Fatalf("% x: writing it back: %v", b, err)
		}
		if !bytes.Equal(w.b, enc) {
			t.Fatalf("% x: Writer wrote % x, AppendValue % x", b, w.b, enc)
		}
	})
}
