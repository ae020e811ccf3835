package smallfmt

import (
	"math"
	"testing"
)

// TestNumbers pins down the integer and float formatting that fault
// messages use most; TestSprintfMatchesFmt covers the rest against fmt.
func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		format string
		arg    any
		want   string
	}{
		{"%d", math.MinInt64, "-9223372036854775808"},
		{"%04d", 7, "0007"},
		{"%-4d|", -7, "-7  |"},
		{"%+d", 7, "+7"},
		{"%x", 255, "ff"},
		{"%#X", uint16(0xbeef), "0XBEEF"},
		{"%08.3f", -3.14159, "-003.142"},
		{"%.2f", 12.345, "12.35"},
		{"%g", 1e21, "1e+21"},
		{"%v", float32(0.1), "0.1"},
		{"%5.1f", math.Inf(1), " +Inf"},
		{"%c", 'é', "é"},
		{"%q", 0x1F600, `'😀'`},
		{"%U", 0x1F600, "U+1F600"},
		{"%v", complex(1, -2), "(1-2i)"},
	} {
		if got := Sprintf(tc.format, tc.arg); got != tc.want {
			t.Errorf("Sprintf(%q, %v) = %q, want %q", tc.format, tc.arg, got, tc.want)
		}
	}
}
