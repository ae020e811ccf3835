package xmlrpc

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
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

// shortDecimal must give exactly what strconv.ParseFloat gives, and leave
// to it what it cannot be sure of.
func TestShortDecimalAgrees(t *testing.T) {
	cases := []string{"0", "-0", "+0", "0.0", "-0.0", "21.25", "-21.25", ".5", "5.", "1.1", "0.1", "0.3", "123456789012345",
		"1234567890123456", "0.000000000000001", "9.99999999999999", "999999999999999", "99999999999999.9", "3.14159265358979",
		"1e5", "1.5E-3", "00000000000000000001", "+.000000000000001", "-999999999999999.", "0.123456789012345"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		n := 1 + rnd.IntN(17)
		b := make([]byte, 0, n+2)
		if rnd.IntN(3) == 0 {
			b = append(b, '-')
		}
		point := rnd.IntN(n + 1)
		for k := range n {
			if k == point {
				b = append(b, '.')
			}
			b = append(b, byte('0'+rnd.IntN(10)))
		}
		cases = append(cases, string(b))
	}
	fast := 0
	for _, c := range cases {
		f, ok := shortDecimal([]byte(c))
		if !ok {
			continue
		}
		fast++
		want, err := strconv.ParseFloat(c, 64)
		if err != nil || math.Float64bits(f) != math.Float64bits(want) {
			t.Fatalf("%s: shortDecimal %v (%x), strconv %v (%x, %v)", c, f, math.Float64bits(f), want, math.Float64bits(want), err)
		}
	}
	if fast < len(cases)/2 {
		t.Fatalf("shortDecimal read only %d of %d cases", fast, len(cases))
	}
	t.Logf("shortDecimal read %d of %d cases", fast, len(cases))
}

// parseInteger must agree with strconv.ParseInt on the forms both read,
// on both sides of its 18-digit fast path.
func TestParseIntegerAgrees(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 100_000 {
		n := 1 + rnd.IntN(21)
		b := make([]byte, 0, n+1)
		if rnd.IntN(2) == 0 {
			b = append(b, "+-"[rnd.IntN(2)])
		}
		for range n {
			b = append(b, byte('0'+rnd.IntN(10)))
		}
		if rnd.IntN(50) == 0 {
			b[rnd.IntN(len(b))] = "x/:"[rnd.IntN(3)]
		}
		for _, bits := range []int{32, 64} {
			got, ok := parseInteger(b, bits)
			want, err := strconv.ParseInt(string(b), 10, bits)
			if ok != (err == nil) || got != want && ok {
				t.Fatalf("parseInteger(%q, %d) = %d, %v; strconv %d, %v", b, bits, got, ok, want, err)
			}
		}
	}
}
