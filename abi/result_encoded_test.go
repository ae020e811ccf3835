package abi

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// agreeOnResult fails unless DecodeResultEncoded and DecodeResultWithin
// agree on b: the same error text, or values that are equal once an
// Encoded is decoded, an Encoded being returned exactly for a container.
func agreeOnResult(t *testing.T, b []byte, maxValues int) {
	t.Helper()
	want, wantErr := DecodeResultWithin(b, maxValues)
	got, gotErr := DecodeResultEncoded(b, maxValues)
	if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
		t.Fatalf("% x (max %d): error %v, DecodeResultWithin's %v", b, maxValues, gotErr, wantErr)
	}
	if wantErr != nil {
		if got != nil {
			t.Fatalf("% x: a value %v with the error", b, got)
		}
		return
	}
	e, isEncoded := got.(Encoded)
	_, isArray := want.([]any)
	_, isStruct := want.(Struct)
	if isEncoded != (isArray || isStruct) {
		t.Fatalf("% x: got %T for %T", b, got, want)
	}
	if isEncoded {
		if got, gotErr = e.Decode(); gotErr != nil {
			t.Fatalf("% x: the Encoded returned does not decode: %v", b, gotErr)
		}
	}
	if !equalValue(want, got) {
		t.Fatalf("% x: %.80v, DecodeResultWithin's %.80v", b, got, want)
	}
}

func TestDecodeResultEncodedAgrees(t *testing.T) {
	deep := func(n int) any {
		var v any = int64(1)
		for range n {
			v = []any{v}
		}
		return v
	}
	many := make(Struct, 40)
	for i := range many {
		many[i] = Member{Name: fmt.Sprint("k", i), Value: int64(i)}
	}
	values := []any{nil, true, int64(7), 1.5, "s", []byte{1}, time.Unix(5, 6).UTC(),
		[]any{}, Struct{}, []any{int64(1), "a", nil, 2.5, []byte{}, time.Unix(1<<40, 999999999).UTC()},
		Struct{{"a", Struct{{"b", []any{Struct{{"c", "d"}}}}}}}, many, deep(MaxDepth - 1)}
	for _, v := range values {
		b, err := AppendResult(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, mv := range []int{0, 1, 3, 100} {
			agreeOnResult(t, b, mv)
		}
		for i := range b { // every truncation
			agreeOnResult(t, b[:i], 0)
		}
		agreeOnResult(t, append(b[:len(b):len(b)], 0), 0)
	}
	// Refused containers: too deep, a repeated key (few and many members),
	// bad UTF-8, a bad timestamp, an unsigned int past int64, 0xc1.
	tooDeep := append([]byte{0x92, 0x00}, bytes.Repeat([]byte{0x91}, MaxDepth+1)...)
	tooDeep = append(tooDeep, 0x01)
	dupMany := mustHex("92 00 de 0011" + strings.Repeat(" a161 01", 2) + strings.Repeat(" a162 01", 15))
	for _, b := range [][]byte{tooDeep, dupMany,
		mustHex("92 00 82 a161 01 a161 02"),
		mustHex("92 00 91 a2 c328"),
		mustHex("92 00 81 a2 c328 01"),
		mustHex("92 00 91 d7 ff ffffffff ffffffff"),
		mustHex("92 00 91 cf 8000000000000000"),
		mustHex("92 00 91 c1"),
		mustHex("92 00 91 d4 05 00"),
		mustHex("92 00 81 01 01"),
		mustHex("92 00 dd ffffffff"),
		mustHex("92 00 df 00000002 a161 01"),
	} {
		agreeOnResult(t, b, 0)
	}
}

// TestDecodeResultEncodedAllocations: a container result costs the copy of
// its bytes, not a Go value per element.
func TestDecodeResultEncodedAllocations(t *testing.T) {
	batch := make([]any, 500)
	for i := range batch {
		batch[i] = Struct{{"source", "sensor-7"}, {"at", time.Unix(int64(i), 0).UTC()}, {"value", float64(i) / 3}, {"tags", []any{"a", "b"}}}
	}
	b, err := AppendResult(nil, batch)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := DecodeResultEncoded(b, 0); err != nil {
			t.Fatal(err)
		}
	})
	decoded := testing.AllocsPerRun(5, func() { _, _ = DecodeResultWithin(b, 0) })
	t.Logf("500 readings: %.0f allocations encoded, %.0f decoded", allocs, decoded)
	if allocs > 2 {
		t.Fatalf("%.0f allocations, want at most 2 (the Encoded and its boxing)", allocs)
	}
}

// FuzzDecodeResultEncoded: DecodeResultEncoded agrees with
// DecodeResultWithin on any input.
func FuzzDecodeResultEncoded(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		agreeOnResult(t, b, 0)
		agreeOnResult(t, b, 3)
	})
}
