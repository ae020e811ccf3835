package smallfmt

import (
	"errors"
	"testing"
)

func TestSprintfUnsupported(t *testing.T) {
	for _, tc := range []struct {
		format string
		args   []any
		want   string
	}{
		{"%v", []any{point{1, 2}}, "%!v(smallfmt.point)"},
		{"%d", []any{&point{}}, "%!d(*smallfmt.point)"},
		{"%v", []any{map[string]int{"a": 1}}, "%!v(map[string]int)"},
		{"%v", []any{[]int{1}}, "%!v([]int)"},
		{"%#v", []any{celsius(1)}, "%!v(smallfmt.celsius)"},
		{"%#v", []any{[]string{"a"}}, "%!v([]string)"},
		{"%p", []any{&point{}}, "%!p(*smallfmt.point)"},
		{"%#.2f", []any{1.5}, "%!f(float64)"},
		{"%[2]d %[1]d", []any{1, 2}, "%!d(index) %!d(index)"},
		{"[%v]", []any{[]any{point{}}}, "[[%!v(smallfmt.point)]]"},
		{"%d", []any{errValue{"v"}}, "%!d(smallfmt.errValue)"},
		{"%w", []any{errors.New("x")}, "%!w(*errors.errorString=%!v(*errors.errorString))"},
	} {
		got, exact := sprintf(tc.format, tc.args)
		if got != tc.want || exact {
			t.Errorf("sprintf(%q, %v) = %q, %v; want %q, false", tc.format, tc.args, got, exact, tc.want)
		}
	}
	for _, arg := range unsupportedOperands {
		if _, exact := sprintf("%v", []any{arg}); exact {
			t.Errorf("sprintf(%%v, %T) claims to be exact", arg)
		}
	}
}

// TestSprintfMethodPanics: a panicking Error or String method is reported
// as fmt reports it, and a nil pointer receiver prints <nil>.
func TestSprintfMethodPanics(t *testing.T) {
	for _, tc := range []struct {
		format string
		arg    any
		want   string
	}{
		{"%v", panicky{}, "%!v(PANIC=String method: no string today)"},
		{"%10s|", panicky{}, "%!s(PANIC=String method: no string today)|"},
		{"%q", (*nilSafe)(nil), "<nil>"},
		{"%x", &nilSafe{"hi"}, "6869"},
	} {
		if got := Sprintf(tc.format, tc.arg); got != tc.want {
			t.Errorf("Sprintf(%q, %T) = %q, want %q", tc.format, tc.arg, got, tc.want)
		}
	}
}
