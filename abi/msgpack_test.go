package abi

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// equalValue compares two values of the value set: NaN equals NaN, a nil
// []byte equals an empty one, times compare as instants.
func equalValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (x == y && math.Signbit(x) == math.Signbit(y) || math.IsNaN(x) && math.IsNaN(y))
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case Struct:
		y, ok := b.(Struct)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].Name != y[i].Name || !equalValue(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// TestAppendValueBytes pins the exact encoding, form by form, against the
// MessagePack specification's examples of each format.
func TestAppendValueBytes(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, "c0"},
		{false, "c2"},
		{true, "c3"},
		{int64(0), "00"},
		{int64(127), "7f"},
		{int64(128), "cc 80"},
		{int64(255), "cc ff"},
		{int64(256), "cd 0100"},
		{int64(65535), "cd ffff"},
		{int64(65536), "ce 00010000"},
		{int64(math.MaxUint32), "ce ffffffff"},
		{int64(math.MaxUint32 + 1), "cf 0000000100000000"},
		{int64(math.MaxInt64), "cf 7fffffffffffffff"},
		{int64(-1), "ff"},
		{int64(-32), "e0"},
		{int64(-33), "d0 df"},
		{int64(-128), "d0 80"},
		{int64(-129), "d1 ff7f"},
		{int64(math.MinInt16), "d1 8000"},
		{int64(math.MinInt16 - 1), "d2 ffff7fff"},
		{int64(math.MinInt32), "d2 80000000"},
		{int64(math.MinInt32 - 1), "d3 ffffffff7fffffff"},
		{int64(math.MinInt64), "d3 8000000000000000"},
		{1.5, "cb 3ff8000000000000"},
		{"", "a0"},
		{"abc", "a3 616263"},
		{strings.Repeat("x", 31), "bf" + strings.Repeat("78", 31)},
		{strings.Repeat("x", 32), "d9 20" + strings.Repeat("78", 32)},
		{strings.Repeat("x", 256), "da 0100" + strings.Repeat("78", 256)},
		{[]byte{}, "c4 00"},
		{[]byte(nil), "c4 00"},
		{[]byte{1, 2}, "c4 02 0102"},
		{make([]byte, 256), "c5 0100" + strings.Repeat("00", 256)},
		{time.Unix(0, 0), "d6 ff 00000000"},
		{time.Unix(math.MaxUint32, 0), "d6 ff ffffffff"},
		{time.Unix(1, 1), "d7 ff 00000004 00000001"},
		{time.Unix(1<<34-1, 999999999), "d7 ff ee6b27ff ffffffff"},
		{time.Unix(1<<34, 0), "c7 0c ff 00000000 0000000400000000"},
		{time.Unix(-1, 0), "c7 0c ff 00000000 ffffffffffffffff"},
		{time.Unix(-1, 5), "c7 0c ff 00000005 ffffffffffffffff"},
		{[]any{}, "90"},
		{[]any{int64(1), "a"}, "92 01 a161"},
		{make([]any, 16), "dc 0010" + strings.Repeat("c0", 16)},
		{Struct{}, "80"},
		{Struct{{"a", int64(1)}, {"b", nil}}, "82 a161 01 a162 c0"},
	} {
		got, err := AppendValue(nil, tc.v)
		if err != nil {
			t.Errorf("AppendValue(%#v): %v", tc.v, err)
			continue
		}
		if want := mustHex(tc.want); !bytes.Equal(got, want) {
			t.Errorf("AppendValue(%.40v) = % x, want % x", tc.v, got, want)
		}
	}
}

func TestAppendValueAppends(t *testing.T) {
	dst := []byte{0xaa}
	dst, err := AppendValue(dst, int64(1))
	if err != nil || !bytes.Equal(dst, []byte{0xaa, 0x01}) {
		t.Fatalf("got % x, %v", dst, err)
	}
}

func TestAppendValueTimeZoneIsIrrelevant(t *testing.T) {
	zone := time.FixedZone("X", 5*3600)
	a, _ := AppendValue(nil, time.Date(2024, 1, 2, 8, 4, 5, 0, zone))
	b, _ := AppendValue(nil, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	if !bytes.Equal(a, b) {
		t.Fatalf("same instant encodes differently: % x vs % x", a, b)
	}
}

func TestAppendValueErrors(t *testing.T) {
	deep := any(int64(1))
	for i := 0; i < MaxDepth+1; i++ {
		deep = []any{deep}
	}
	cyclic := []any{nil}
	cyclic[0] = cyclic
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"go int", 1, "cannot encode value: Go type int is not in the value set"},
		{"map", map[string]any{}, "Go type map[string]interface {} is not in the value set"},
		{"nested", []any{int64(1), Struct{{"a", []any{int32(1)}}}}, "at [1].a[0]: Go type int32"},
		{"odd member name", Struct{{"a b", 1}}, `at ["a b"]: Go type int`},
		{"bad utf8", []any{"\xff"}, "at [0]: string is not valid UTF-8"},
		{"bad utf8 name", Struct{{"\xff", nil}}, `at ["\xff"]: string is not valid UTF-8`},
		{"duplicate", Struct{{"a", nil}, {"b", nil}, {"a", nil}}, `member "a" appears twice`},
		{"duplicate large", bigStruct(40, "k07"), `member "k07" appears twice`},
		{"too deep", deep, "nest deeper than 128"},
		{"cycle", cyclic, "nest deeper than 128"},
	} {
		_, err := AppendValue(nil, tc.v)
		var ee *EncodeError
		if !errors.As(err, &ee) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want an *EncodeError containing %q", tc.name, err, tc.want)
		}
	}
}

// bigStruct returns n members named k00, k01, ..., then one named dup if
// dup is not "".
func bigStruct(n int, dup string) Struct {
	s := make(Struct, 0, n+1)
	for i := 0; i < n; i++ {
		s = append(s, Member{Name: fmt.Sprintf("k%02d", i), Value: int64(i)})
	}
	if dup != "" {
		s = append(s, Member{Name: dup})
	}
	return s
}

func TestAppendValueDepthLimitIsExact(t *testing.T) {
	v := any(int64(1))
	for i := 0; i < MaxDepth; i++ {
		if i%2 == 0 {
			v = []any{v}
		} else {
			v = Struct{{"x", v}}
		}
	}
	b, err := AppendValue(nil, v)
	if err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
	if _, _, err := DecodeValue(b); err != nil {
		t.Fatalf("decode %d levels: %v", MaxDepth, err)
	}
	if _, err := AppendValue(nil, []any{v}); err == nil {
		t.Fatalf("%d levels accepted", MaxDepth+1)
	}
}
