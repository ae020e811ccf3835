package smallfmt

import "testing"

// TestText pins down string, []byte and bool formatting;
// TestSprintfMatchesFmt covers the rest against fmt.
func TestText(t *testing.T) {
	for _, tc := range []struct {
		format string
		arg    any
		want   string
	}{
		{"%s", "héllo", "héllo"},
		{"%-7s|", "héllo", "héllo  |"},
		{"%.2s", "héllo", "hé"},
		{"%q", "a\"b\n", `"a\"b\n"`},
		{"%+q", "é", `"\u00e9"`},
		{"%#q", "a`b", "\"a`b\""},
		{"%#q", "ab", "`ab`"},
		{"%x", "hi", "6869"},
		{"% X", []byte{1, 0xab}, "01 AB"},
		{"%s", []byte("raw"), "raw"},
		{"%v", []byte("ab"), "[97 98]"},
		{"%v", []string{"a", "b"}, "[a b]"},
		{"%q", []any{"a", 1, nil}, `["a" '\x01' <nil>]`},
		{"%t", true, "true"},
		{"%6v|", false, " false|"},
	} {
		if got := Sprintf(tc.format, tc.arg); got != tc.want {
			t.Errorf("Sprintf(%q, %v) = %q, want %q", tc.format, tc.arg, got, tc.want)
		}
	}
}
