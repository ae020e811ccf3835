//go:build !wasip1

package guest

import (
	"fmt"
	"math"
	"testing"
)

// A native build clamps a scan's limit as the wasm build does: a negative
// limit lists nothing (it used to panic slicing out[:limit]), and no scan
// returns more than the host's 10,000.
func TestKVScanClampsItsLimit(t *testing.T) {
	ResetTestStore()
	defer ResetTestStore()
	for i := 0; i < maxScan+5; i++ {
		if err := KVPut(fmt.Sprintf("k%05d", i), []byte{1}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ limit, want int }{{-1, 0}, {0, 0}, {3, 3}, {maxScan + 1, maxScan}, {math.MaxInt, maxScan}} {
		got, err := KVScan("", tc.limit)
		if err != nil || len(got) != tc.want {
			t.Errorf("KVScan(\"\", %d) = %d pairs, %v; want %d", tc.limit, len(got), err, tc.want)
		}
	}
}

// A stored empty value reads back as an empty, non-nil slice in a native
// build as in wasm (where the host answers kv_get with 0, not -1), so a
// handler returning it answers an empty base64 either way, and a test
// checking value == nil for "not found" means the same in both.
func TestEmptyValueIsNotNil(t *testing.T) {
	ResetTestStore()
	defer ResetTestStore()
	if err := KVPut("empty", []byte{}); err != nil {
		t.Fatal(err)
	}
	v, found, err := KVGet("empty")
	if err != nil || !found || v == nil || len(v) != 0 {
		t.Errorf("KVGet of an empty value = %#v, %v, %v; want []byte{}, true", v, found, err)
	}
	kvs, err := KVScan("empty", 1)
	if err != nil || len(kvs) != 1 || kvs[0].Value == nil || len(kvs[0].Value) != 0 {
		t.Errorf("KVScan of an empty value = %#v, %v; want one pair holding []byte{}", kvs, err)
	}
	many, err := KVGetMany([]string{"empty", "missing"})
	if err != nil || len(many) != 2 || many[0] == nil || many[1] != nil {
		t.Errorf("KVGetMany = %#v, %v; want [[]byte{}, nil]", many, err)
	}
	if v, found, _ := KVGet("missing"); found || v != nil {
		t.Errorf("KVGet of a missing key = %#v, %v; want nil, false", v, found)
	}
}
