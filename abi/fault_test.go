package abi

import (
	"errors"
	"testing"
)

func TestFault(t *testing.T) {
	f := Faultf(CodeInvalidParams, "param %d: want %s", 2, "int")
	if f.Code != CodeInvalidParams || f.Error() != "fault -32602: param 2: want int" {
		t.Fatalf("Faultf = %+v, %q", f, f.Error())
	}
}

// TestFaultfFormatsLikeFmt pins down the formatting plugins rely on, which
// no longer comes from package fmt.
func TestFaultfFormatsLikeFmt(t *testing.T) {
	for _, tc := range []struct {
		format string
		args   []any
		want   string
	}{
		{"add: %d + %d overflows a 64-bit integer", []any{int64(-1) << 63, int64(-1)},
			"add: -9223372036854775808 + -1 overflows a 64-bit integer"},
		{"no record with id %q", []any{"a\"b"}, `no record with id "a\"b"`},
		{"record %d: %v; nothing was stored", []any{3, errors.New("value is NaN")},
			"record 3: value is NaN; nothing was stored"},
		{"%.2f%% of %5s, %-4d|%x", []any{12.345, "cpu", 7, []byte("hi")}, "12.35% of   cpu, 7   |6869"},
		{"%s takes %d params, got %d", []any{"add.add", 2}, "add.add takes 2 params, got %!d(MISSING)"},
	} {
		if got := Faultf(1, tc.format, tc.args...).Message; got != tc.want {
			t.Errorf("Faultf(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}

// TestFaultfShowsWhatItCannotFormat: a value fmt would print through
// reflection is named rather than printed differently.
func TestFaultfShowsWhatItCannotFormat(t *testing.T) {
	type point struct{ X, Y int }
	if got := Faultf(1, "at %v", point{1, 2}).Message; got != "at %!v(abi.point)" {
		t.Fatalf("Faultf of a struct = %q", got)
	}
}
