package abi

import (
	"errors"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// roundTripValues covers every type of the value set at the edges of each
// MessagePack form.
func roundTripValues() []any {
	vs := []any{nil, true, false}
	for _, n := range []int64{0, 1, 127, 128, 255, 256, 65535, 65536, math.MaxInt32, math.MaxUint32,
		math.MaxUint32 + 1, math.MaxInt64, -1, -32, -33, -128, -129, math.MinInt16, math.MinInt16 - 1,
		math.MinInt32, math.MinInt32 - 1, math.MinInt64} {
		vs = append(vs, n)
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), math.NaN()} {
		vs = append(vs, f)
	}
	for _, n := range []int{0, 1, 31, 32, 255, 256, 65535, 65536} {
		vs = append(vs, strings.Repeat("x", n), make([]byte, n))
	}
	vs = append(vs, "héllo, 世界 🎉", []byte{0, 0xff, 0x80})
	for _, t := range []time.Time{
		time.Unix(0, 0), time.Unix(math.MaxUint32, 0), time.Unix(math.MaxUint32+1, 0), time.Unix(1, 1),
		time.Unix(1<<34-1, 999999999), time.Unix(1<<34, 0), time.Unix(-1, 0), time.Unix(-1, 999999999),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1998, 7, 17, 14, 8, 55, 0, time.UTC), time.Unix(math.MaxInt64, 999999999), time.Unix(math.MinInt64, 0),
	} {
		vs = append(vs, t)
	}
	for _, n := range []int{0, 1, 15, 16, 65535, 65536} {
		vs = append(vs, make([]any, n))
	}
	for _, n := range []int{0, 1, 15, 16, 17, 65536} {
		vs = append(vs, bigStructN(n))
	}
	vs = append(vs, []any{int64(1), "two", 3.0, []any{[]byte("four"), Struct{{"five", time.Unix(5, 0)}}}, nil, false},
		Struct{{"", int64(1)}, {"nested", Struct{{"deeper", []any{Struct{}}}}}})
	return vs
}

func bigStructN(n int) Struct {
	s := make(Struct, n)
	for i := range s {
		s[i] = Member{Name: "m" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i), Value: int64(i)}
	}
	return s
}

func TestDecodeValueRoundTrip(t *testing.T) {
	for _, v := range roundTripValues() {
		b, err := AppendValue(nil, v)
		if err != nil {
			t.Fatalf("AppendValue(%.40v): %v", v, err)
		}
		b = append(b, 0xc0, 0xc3) // trailing bytes come back as rest
		got, rest, err := DecodeValue(b)
		if err != nil {
			t.Fatalf("DecodeValue(AppendValue(%.40v)): %v", v, err)
		}
		if !equalValue(got, v) {
			t.Errorf("round trip of %.60v gave %.60v", v, got)
		}
		if string(rest) != "\xc0\xc3" {
			t.Errorf("round trip of %.40v: rest = % x", v, rest)
		}
		if tm, ok := got.(time.Time); ok && tm.Location() != time.UTC {
			t.Errorf("decoded time in %v, want UTC", tm.Location())
		}
	}
}

func TestDecodeValueCopies(t *testing.T) {
	b, _ := AppendValue(nil, []any{"abc", []byte("def")})
	v, _, err := DecodeValue(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 0
	}
	if !equalValue(v, []any{"abc", []byte("def")}) {
		t.Fatalf("decoded value changed with its input: %v", v)
	}
}

// TestDecodeValueLenient checks forms our encoder never writes but other
// MessagePack writers do.
func TestDecodeValueLenient(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{"cc 05", int64(5)},
		{"cd 0005", int64(5)},
		{"d0 05", int64(5)},
		{"d3 0000000000000005", int64(5)},
		{"d0 ff", int64(-1)},
		{"d1 fffe", int64(-2)},
		{"d2 fffffffd", int64(-3)},
		{"cf 7fffffffffffffff", int64(math.MaxInt64)},
		{"ca 3fc00000", 1.5},
		{"d9 01 61", "a"},
		{"db 00000001 61", "a"},
		{"c6 00000001 07", []byte{7}},
		{"dd 00000001 01", []any{int64(1)}},
		{"df 00000001 a161 01", Struct{{"a", int64(1)}}},
		{"d9 01 61", "a"},
		{"d7 ff 00000000 00000000", time.Unix(0, 0)},
		{"c7 0c ff 00000000 0000000000000000", time.Unix(0, 0)},
	} {
		got, rest, err := DecodeValue(mustHex(tc.in))
		if err != nil || len(rest) != 0 || !equalValue(got, tc.want) {
			t.Errorf("DecodeValue(%s) = %#v, % x, %v; want %#v", tc.in, got, rest, err, tc.want)
		}
	}
}

func TestDecodeValueMalformed(t *testing.T) {
	deep := strings.Repeat("91", MaxDepth+1) + "01"
	for _, tc := range []struct {
		in     string
		offset int
		reason string
	}{
		{"", 0, "input ends where a value should start"},
		{"c1", 0, "0xc1 is never used"},
		{"cf 8000000000000000", 0, "integer 9223372036854775808 does not fit in int64"},
		{"cf ffffffffffffffff", 0, "does not fit in int64"},
		{"cd 01", 0, "int needs 2 more bytes, only 1 remain"},
		{"cb 00", 0, "float 64 needs 8 more bytes"},
		{"a3 6161", 0, "str needs 3 more bytes, only 2 remain"},
		{"a1 ff", 0, "str is not valid UTF-8"},
		{"db ffffffff 61", 0, "str needs 4294967295 more bytes, only 1 remain"},
		{"c6 ffffffff", 0, "bin needs 4294967295 more bytes, only 0 remain"},
		{"dd ffffffff 00000000 00", 0, "array claims 4294967295 elements but only 5 bytes remain"},
		{"df ffffffff 00000000 00", 0, "map claims 4294967295 members but only 5 bytes remain"},
		{"92 01 c1", 2, "0xc1"},
		{"81 01 01", 1, "map key is int, want str"},
		{"81 c0 01", 1, "map key is nil, want str"},
		{"82 a161 01 a161 02", 4, `map key "a" appears twice`},
		{"d4 01 00", 0, "extension type 1 is not supported"},
		{"c7 01 05 00", 0, "extension type 5 is not supported"},
		{"d4 ff 00", 0, "timestamp of 1 bytes in fixext 1"},
		{"d8 ff" + strings.Repeat("00", 16), 0, "timestamp of 16 bytes in fixext 16"},
		{"c7 04 ff 00000000", 0, "timestamp of 4 bytes in ext 8"},
		{"c8 000c ff" + strings.Repeat("00", 12), 0, "timestamp of 12 bytes in ext 16"},
		{"d7 ff ffffffff 00000000", 0, "nanoseconds, want fewer than 1e9"},
		{"c7 0c ff 3b9aca00 0000000000000000", 0, "1000000000 nanoseconds"},
		{"d6 ff 0000", 0, "timestamp 32 needs 4 more bytes"},
		{deep, MaxDepth, "nest deeper than 128"},
	} {
		_, _, err := DecodeValue(mustHex(tc.in))
		var me *MalformedError
		if !errors.As(err, &me) || !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeValue(%s): err = %v, want a *MalformedError", tc.in, err)
			continue
		}
		if me.Offset != tc.offset || !strings.Contains(me.Reason, tc.reason) {
			t.Errorf("DecodeValue(%s): err = %v, want offset %d and %q", tc.in, err, tc.offset, tc.reason)
		}
	}
}

// TestDecodeValueHugeClaimsDoNotAllocate decodes headers that claim 2^32
// elements in a few bytes: they must fail before allocating anything big.
func TestDecodeValueHugeClaimsDoNotAllocate(t *testing.T) {
	for _, in := range []string{"dd ffffffff", "df ffffffff", "db ffffffff", "c6 ffffffff",
		"dd 7fffffff 01 01 01 01", "92 dd ffffffff"} {
		b := mustHex(in)
		// Bytes, not allocation counts: the race detector adds allocations
		// of its own, but a claim of 2^32 elements honoured would cost GiBs.
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < 10; i++ {
			_, _, _ = DecodeValue(b)
		}
		runtime.ReadMemStats(&after)
		if perCall := (after.TotalAlloc - before.TotalAlloc) / 10; perCall > 4096 {
			t.Errorf("DecodeValue(%s): %d bytes allocated per call; the error needs a few hundred", in, perCall)
		}
	}
}

func TestDecodeValueNeverPanicsOnTruncation(t *testing.T) {
	for _, v := range roundTripValues() {
		b, _ := AppendValue(nil, v)
		if len(b) > 300 {
			continue
		}
		for n := 0; n < len(b); n++ {
			if _, _, err := DecodeValue(b[:n]); err == nil {
				t.Fatalf("truncated %.40v (%d of %d bytes) decoded", v, n, len(b))
			}
		}
	}
}
