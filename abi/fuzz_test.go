package abi

import (
	"errors"
	"testing"
	"time"
)

func fuzzSeeds(f *testing.F) {
	for _, v := range []any{nil, true, int64(-33), int64(1 << 40), 1.5, "héllo", []byte{1, 2},
		time.Unix(1, 1), time.Unix(-1, 0), []any{int64(1), "a"}, Struct{{"a", Struct{{"b", []any{}}}}}} {
		b, _ := AppendValue(nil, v)
		f.Add(b)
		r, _ := AppendResult(nil, v)
		f.Add(r)
	}
	f.Add(AppendFaultResult(nil, &Fault{Code: CodeInvalidParams, Message: "param 2: want int, got string"}))
	for _, s := range []string{"dd ffffffff", "df 00000002 a161 01 a161 02", "c7 0c ff 3b9aca00 00", "93 01 cf 8000000000000000 a0"} {
		f.Add(mustHex(s))
	}
}

// FuzzDecodeValue: DecodeValue never panics, fails only with ErrMalformed,
// and what it decodes re-encodes to something that decodes equal.
func FuzzDecodeValue(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, rest, err := DecodeValue(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if len(rest) > len(b) {
			t.Fatalf("rest longer than input")
		}
		enc, err := AppendValue(nil, v)
		if err != nil {
			t.Fatalf("decoded %.80v but cannot re-encode it: %v", v, err)
		}
		v2, rest2, err := DecodeValue(enc)
		if err != nil || len(rest2) != 0 {
			t.Fatalf("re-encoded % x does not decode: %v (%d bytes left)", enc, err, len(rest2))
		}
		if !equalValue(v, v2) {
			t.Fatalf("round trip changed %.80v into %.80v", v, v2)
		}
	})
}

// FuzzDecodeResult: DecodeResult never panics; a success or a fault
// re-encodes to the same Result.
func FuzzDecodeResult(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeResult(b)
		var enc []byte
		var fault *Fault
		switch {
		case errors.As(err, &fault):
			if v != nil {
				t.Fatalf("fault with a value %v", v)
			}
			enc = AppendFaultResult(nil, fault)
		case err != nil:
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error is neither a fault nor ErrMalformed: %v", err)
			}
			return
		default:
			if enc, err = AppendResult(nil, v); err != nil {
				t.Fatalf("decoded %.80v but cannot re-encode it: %v", v, err)
			}
		}
		v2, err2 := DecodeResult(enc)
		var fault2 *Fault
		if fault != nil {
			if !errors.As(err2, &fault2) || *fault2 != *fault {
				t.Fatalf("fault %+v came back as %v, %v", fault, v2, err2)
			}
			return
		}
		if err2 != nil || !equalValue(v, v2) {
			t.Fatalf("result %.80v came back as %.80v, %v", v, v2, err2)
		}
	})
}

// FuzzDecodeCall: DecodeCall never panics and round-trips what it accepts.
func FuzzDecodeCall(f *testing.F) {
	for _, s := range []string{"92 a3616464 92 03 04", "92 a0 90", "92 a161 dd ffffffff"} {
		f.Add(mustHex(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, p, err := DecodeCall(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		enc, err := AppendCall(nil, m, p)
		if err != nil {
			t.Fatal(err)
		}
		m2, p2, err := DecodeCall(enc)
		if err != nil || m2 != m || !equalValue(p, p2) {
			t.Fatalf("call %s%v came back as %s%v, %v", m, p, m2, p2, err)
		}
	})
}

// FuzzDecodeManifest: DecodeManifest never panics.
func FuzzDecodeManifest(f *testing.F) {
	b, _ := AppendManifest(nil, Manifest{ABI: 1, Methods: []MethodDesc{{Name: "add", Help: "h",
		Signatures: [][]string{{"int", "int", "int"}}}}})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeManifest(b)
		if err != nil {
			return
		}
		enc, err := AppendManifest(nil, m)
		if err != nil {
			t.Fatalf("decoded %+v but cannot re-encode it: %v", m, err)
		}
		if _, err := DecodeManifest(enc); err != nil {
			t.Fatal(err)
		}
	})
}
