package smallfmt

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

type (
	celsius  float64
	code     int
	status   string
	level    uint8
	flag     bool
	point    struct{ X, Y int }
	panicky  struct{}
	nilSafe  struct{ s string }
	wave     complex64
	errValue struct{ msg string }
)

func (panicky) String() string     { panic("no string today") }
func (n *nilSafe) String() string  { return n.s } // panics on a nil receiver
func (e errValue) Error() string   { return "err " + e.msg }
func (c code) String() string      { return "code-" + fmt.Sprint(int(c)) }
func (s status) Error() string     { return "status " + string(s) }
func (l level) Unused() level      { return l }
func (p point) Describe() string   { return "point" }
func (w wave) Amplitude() float64  { return real(complex128(w)) }
func (f flag) Inverse() flag       { return !f }
func (c celsius) Kelvin() celsius  { return c + 273.15 }
func (e errValue) Unwrap() error   { return nil }
func (p panicky) Describe() string { return "panicky" }

// operands are the values the comparison with fmt runs over: each
// supported kind, named types, methods and edge values.
var operands = []any{
	nil, true, false,
	0, -7, 42, math.MaxInt64, math.MinInt64, int8(-128), int16(300), int32('x'), int64(-1) << 40,
	uint(7), uint8(200), uint16(65535), uint32(0x1F600), uint64(math.MaxUint64), uintptr(10),
	0.0, math.Copysign(0, -1), 3.25, -2.5e-7, 1e21, 123456789.0, float32(1.5), float32(-0.1),
	math.NaN(), math.Inf(1), math.Inf(-1),
	complex(1, -2), complex64(complex(0.5, 3)),
	"", "hello", "héllo, 世界", "tab\tand`back", "\x00\xff", "a\"quote",
	[]byte("hi\x00"), []byte(nil), []byte{},
	[]string{"a", "b c"}, []string{}, []any{1, "x", nil, []byte{1}, 2.5, code(3), status("s"), errValue{"in"}}, []any{},
	errors.New("boom"), errValue{"v"}, status("ok"),
	celsius(21.5), code(7), level(3), flag(true), wave(complex(1, 1)),
	time.Duration(1500), time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
	panicky{}, (*nilSafe)(nil), &nilSafe{"set"},
}

// unsupportedOperands need reflection to print as fmt would.
var unsupportedOperands = []any{point{1, 2}, &point{}, map[string]int{"a": 1}, []int{1}, struct{}{}, make(chan int)}

const verbs = "vsqdboOxXcUteEfFgGTwz%"

var (
	flagSets = []string{"", "+", "-", " ", "0", "#", "-0", "+0", "+ ", "# ", "#0", "#-", "0+"}
	widths   = []string{"", "1", "6", "*"}
	precs    = []string{"", ".", ".0", ".3", ".*"}
)

// TestSprintfMatchesFmt formats every operand with every verb, flag set,
// width and precision, and wants fmt's output wherever sprintf says it
// is exact, and exactness everywhere but the documented gaps.
func TestSprintfMatchesFmt(t *testing.T) {
	checked := 0
	for _, arg := range operands {
		for _, flags := range flagSets {
			for _, wid := range widths {
				for _, prec := range precs {
					for _, verb := range verbs {
						format := "<%" + flags + wid + prec + string(verb) + ">"
						var args []any
						if wid == "*" {
							args = append(args, -8)
						}
						if prec == ".*" {
							args = append(args, 2)
						}
						args = append(args, arg)
						want := fmt.Sprintf(format, args...)
						got, exact := sprintf(format, args)
						if exact {
							checked++
							if got != want {
								t.Errorf("Sprintf(%q, %#v) = %q, fmt says %q", format, args, got, want)
							}
						} else if !documentedGap(flags, verb, arg) {
							t.Errorf("Sprintf(%q, %#v) = %q is not exact; fmt says %q", format, args, got, want)
						}
					}
				}
			}
		}
	}
	t.Logf("%d formats agree with fmt", checked)
}

// documentedGap reports whether formatting arg with verb and flags is one
// of the cases the package documents as unsupported.
func documentedGap(flags string, verb rune, arg any) bool {
	sharp := strings.Contains(flags, "#")
	switch {
	case verb == 'p':
		return true
	case sharp && (verb == 'v' || verb == 'w') && !basic(arg):
		return true
	case sharp && verb == 'w' && isBytes(arg): // a bad verb, in Go syntax
		return true
	case sharp && isFloat(arg):
		return true
	case needsReflection(arg) && !(strings.ContainsRune("vsxXq", verb) && hasStringMethod(arg)):
		return true
	}
	return false
}

// needsReflection reports whether fmt prints arg, or an element of it,
// by walking its structure (a struct, a pointer...).
func needsReflection(arg any) bool {
	if a, ok := arg.([]any); ok {
		for _, e := range a {
			if needsReflection(e) {
				return true
			}
		}
		return false
	}
	switch reflect.ValueOf(arg).Kind() {
	case reflect.Struct, reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func:
		return true
	}
	return false
}

func hasStringMethod(arg any) bool {
	if a, ok := arg.([]any); ok {
		for _, e := range a {
			if needsReflection(e) && !hasStringMethod(e) {
				return false
			}
		}
		return true
	}
	switch arg.(type) {
	case error, fmt.Stringer:
		return true
	}
	return false
}

// basic reports whether arg is of a predeclared type (or nil), which %#v
// prints without reflection.
func basic(arg any) bool {
	switch arg.(type) {
	case nil, bool, float32, float64, complex64, complex128, int, int8, int16, int32, int64,
		uint, uint8, uint16, uint32, uint64, uintptr, string, []byte:
		return true
	}
	return false
}

func isBytes(arg any) bool {
	_, ok := arg.([]byte)
	return ok
}

func isFloat(arg any) bool {
	switch arg.(type) {
	case float32, float64, complex64, complex128, celsius, wave:
		return true
	case []any: // holds 2.5
		return true
	}
	return false
}

func TestSprintfFormatErrors(t *testing.T) {
	for _, tc := range []struct {
		format string
		args   []any
	}{
		{"%d", nil},
		{"%d %s", []any{1}},
		{"no verbs", []any{1, "x", nil}},
		{"%d", []any{1, 2.5, []byte("b")}},
		{"trailing %", []any{1}},
		{"%-", nil},
		{"%.", []any{1}},
		{"%*d", []any{"w", 1}},
		{"%.*d", []any{"p", 1}},
		{"%*d", []any{int64(3), 1}},
		{"%.*d", []any{uint8(2), 1}},
		{"%*d", []any{10000000, 1}},
		{"%.*d", []any{-1, 1}},
		{"%!", []any{1}},
		{"%é", []any{1}},
		{"%d", []any{"x"}},
		{"%s", []any{nil}},
		{"%w", []any{1}},
		{"100%%", nil},
		{"%5%", nil},
	} {
		want := fmt.Sprintf(tc.format, tc.args...)
		if got, exact := sprintf(tc.format, tc.args); got != want || !exact {
			t.Errorf("Sprintf(%q, %v) = %q (exact %v), fmt says %q", tc.format, tc.args, got, exact, want)
		}
	}
}

func TestTypeName(t *testing.T) {
	for _, v := range append(operands, unsupportedOperands...) {
		if got, want := TypeName(v), fmt.Sprintf("%T", v); got != want {
			t.Errorf("TypeName(%#v) = %q, fmt says %q", v, got, want)
		}
	}
}

func BenchmarkSprintf(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Sprintf("add: %d + %d overflows a 64-bit integer (%q)", int64(1), int64(2), "x")
	}
}
