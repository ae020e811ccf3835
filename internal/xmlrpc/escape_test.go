package xmlrpc

import "testing"

func TestAppendText(t *testing.T) {
	cases := []struct {
		in, want, sanitized string
		bad                 int
	}{
		{"", "", "", -1},
		{"plain", "plain", "plain", -1},
		{"a<b>c&d", "a&lt;b&gt;c&amp;d", "a&lt;b&gt;c&amp;d", -1},
		{"]]>", "]]&gt;", "]]&gt;", -1},
		{"a\r\nb\tc\n", "a&#13;\nb\tc\n", "a&#13;\nb\tc\n", -1},
		{`'"`, `'"`, `'"`, -1},
		{"café ☃ 😀", "café ☃ 😀", "café ☃ 😀", -1},
		{"a\x00b", "", "a\uFFFDb", 1},
		{"ab\x1b", "", "ab\uFFFD", 2},
		{"a\xffb", "", "a\uFFFDb", 1},
		{"a\xc3", "", "a\uFFFD", 1},
		{"\xed\xa0\x80x", "", "\uFFFD\uFFFD\uFFFDx", 0},
		{"<\uFFFE>", "", "&lt;\uFFFD&gt;", 1},
		{"\uFFFD", "\uFFFD", "\uFFFD", -1},
	}
	for _, c := range cases {
		got, bad := appendText([]byte("x"), c.in, false)
		if bad != c.bad || (bad < 0 && string(got) != "x"+c.want) {
			t.Errorf("appendText(%q) = %q, %d; want %q, %d", c.in, got, bad, c.want, c.bad)
		}
		got, bad = appendText([]byte("x"), c.in, true)
		if bad != -1 || string(got) != "x"+c.sanitized {
			t.Errorf("sanitized appendText(%q) = %q, %d; want %q", c.in, got, bad, c.sanitized)
		}
	}
}
