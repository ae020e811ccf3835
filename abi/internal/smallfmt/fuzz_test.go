package smallfmt

import (
	"errors"
	"fmt"
	"testing"
)

// FuzzSprintf checks that wherever sprintf claims to be exact, it agrees
// with fmt, for any format string over the supported operand kinds.
func FuzzSprintf(f *testing.F) {
	f.Add("%d + %d overflows", int64(1), 2.5, "x", uint8(0))
	f.Add("%-08.3q|%+x|% X|%#o|%U", int64(-7), -0.0, "héllo", uint8(3))
	f.Add("%*.*e %5t %v%%", int64(4), 1e300, "", uint8(7))
	f.Fuzz(func(t *testing.T, format string, n int64, fl float64, s string, pick uint8) {
		all := []any{n, fl, s, []byte(s), uint8(n), int32(n), float32(fl), n != 0, nil,
			code(n), celsius(fl), status(s), errors.New(s), []string{s, s}, []any{n, s, nil}}
		// pick chooses how many operands, from where.
		start := int(pick) % len(all)
		args := all[start:min(len(all), start+int(pick/16)+1)]
		want := fmt.Sprintf(format, args...)
		got, exact := sprintf(format, args)
		if exact && got != want {
			t.Fatalf("Sprintf(%q, %#v) = %q, fmt says %q", format, args, got, want)
		}
	})
}
