package smallfmt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
)

func TestErrorf(t *testing.T) {
	inner := errors.New("inner")
	for _, tc := range []struct {
		format string
		args   []any
	}{
		{"plain", nil},
		{"n=%d", []any{3}},
		{"ctx: %w", []any{inner}},
		{"%w and %w", []any{inner, io.EOF}},
		{"%w", []any{"not an error"}},
		{"%v, not wrapped", []any{inner}},
	} {
		got := Errorf(tc.format, tc.args...)
		want := fmt.Errorf(tc.format, tc.args...)
		if got.Error() != want.Error() {
			t.Errorf("Errorf(%q).Error() = %q, fmt says %q", tc.format, got.Error(), want.Error())
		}
		for _, target := range []error{inner, io.EOF} {
			if errors.Is(got, target) != errors.Is(want, target) {
				t.Errorf("Errorf(%q): errors.Is(%v) = %v, unlike fmt", tc.format, target, errors.Is(got, target))
			}
		}
		if u := errors.Unwrap(got); u != errors.Unwrap(want) {
			t.Errorf("Errorf(%q): Unwrap = %v, fmt gives %v", tc.format, u, errors.Unwrap(want))
		}
	}
}

func TestErrorfAs(t *testing.T) {
	var pe *os.PathError
	err := Errorf("open: %w", &os.PathError{Op: "open", Path: "/x", Err: os.ErrNotExist})
	if !errors.As(err, &pe) || pe.Path != "/x" || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("errors.As/Is through Errorf: %v", err)
	}
}

func TestWrap(t *testing.T) {
	inner := errors.New("inner")
	err := Wrap("ctx: inner", inner)
	if err.Error() != "ctx: inner" || !errors.Is(err, inner) || errors.Unwrap(err) != inner {
		t.Fatalf("Wrap = %v, unwraps to %v", err, errors.Unwrap(err))
	}
}
