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
