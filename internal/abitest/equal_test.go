package abitest

import (
	"bytes"
	"math"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// equalValue compares two values of the value set: NaN equals NaN, a nil
// []byte equals an empty one, times compare as instants (the SDK's own
// tests have the same helper, out of this module's reach).
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
	case abi.Struct:
		y, ok := b.(abi.Struct)
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
