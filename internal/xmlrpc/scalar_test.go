package xmlrpc

import (
	"bytes"
	"math"
	"testing"
)

func TestParseInteger(t *testing.T) {
	cases := []struct {
		in   string
		bits int
		want int64
		ok   bool
	}{
		{"0", 32, 0, true},
		{"-0", 32, 0, true},
		{"+1", 32, 1, true},
		{"2147483647", 32, math.MaxInt32, true},
		{"2147483648", 32, 0, false},
		{"-2147483648", 32, math.MinInt32, true},
		{"-2147483649", 32, 0, false},
		{"00000000000000000000000000001", 32, 1, true},
		{"9223372036854775807", 64, math.MaxInt64, true},
		{"9223372036854775808", 64, 0, false},
		{"-9223372036854775808", 64, math.MinInt64, true},
		{"-9223372036854775809", 64, 0, false},
		{"18446744073709551616", 64, 0, false},
		{"", 32, 0, false},
		{"+", 32, 0, false},
		{" 1", 32, 0, false},
		{"1 ", 32, 0, false},
		{"1e3", 32, 0, false},
		{"١", 32, 0, false}, // an Arabic-Indic digit
	}
	for _, c := range cases {
		got, ok := parseInteger([]byte(c.in), c.bits)
		if got != c.want || ok != c.ok {
			t.Errorf("parseInteger(%q, %d) = %d, %v; want %d, %v", c.in, c.bits, got, ok, c.want, c.ok)
		}
	}
}

func TestIsDecimal(t *testing.T) {
	for in, want := range map[string]bool{
		"1": true, "-1": true, "+1": true, "1.": true, ".1": true, "1.5": true,
		"1e5": true, "1E+5": true, "1e-05": true, "-.5e3": true, "0.000": true,
		"": false, ".": false, "-": false, "e5": false, "1e": false, "1e+": false,
		"1.2.3": false, "NaN": false, "inf": false, "1,5": false, " 1": false, "0x1": false, "1f": false,
	} {
		if isDecimal([]byte(in)) != want {
			t.Errorf("isDecimal(%q) != %v", in, want)
		}
	}
}

func TestTrimScalar(t *testing.T) {
	for _, s := range []string{"", "3", " 3", "3 ", "\n\t3\r\n", "\v3\f", "\u00a03\u0085", "é", "a b", "  ", "\u2003x\u2003"} {
		if got, want := string(trimScalar([]byte(s))), string(bytes.TrimSpace([]byte(s))); got != want {
			t.Errorf("trimScalar(%q) = %q, want %q", s, got, want)
		}
	}
}
