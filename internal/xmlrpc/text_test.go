package xmlrpc

import "testing"

func TestContent(t *testing.T) {
	cases := []struct {
		in, want string
		plain    bool // returned as a slice of the document
	}{
		{"abc<x>", "abc", true},
		{"<x>", "", true},
		{"a > b<x>", "a > b", true},
		{"a&amp;b</x>", "a&b", false},
		{"a<!--c-->b</x>", "ab", false},
		{"a<?p i?>b</x>", "ab", false},
		{"a<![CDATA[<&]]]>b</x>", "a<&]b", false},
		{"<![CDATA[]]></x>", "", false},
		{"a\r\nb\r\n\r\nc\rd</x>", "a\nb\n\nc\nd", false},
		{"a]b</x>", "a]b", false},
		{"a]]b</x>", "a]]b", false},
		{"&lt;<!---->&gt;</x>", "<>", false},
	}
	for _, c := range cases {
		s := scanner{buf: []byte(c.in)}
		got, err := s.content(tag{})
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if string(got) != c.want || s.buf[s.pos] != '<' || s.buf[s.pos+1] == '!' {
			t.Errorf("%q: got %q, pos %d", c.in, got, s.pos)
		}
		if plain := sameArray(got, s.buf); len(got) > 0 && plain != c.plain {
			t.Errorf("%q: plain = %v, want %v", c.in, plain, c.plain)
		}
	}
}

// sameArray reports whether a lies inside b's array.
func sameArray(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for i := range b {
		if &b[i] == &a[0] {
			return true
		}
	}
	return false
}

func TestAppendNewlines(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "a", "a\r\nb": "a\nb", "\r\r\n\n": "\n\n\n", "a\r": "a\n"} {
		if got := string(appendNewlines([]byte("x"), []byte(in))); got != "x"+want {
			t.Errorf("%q: got %q", in, got)
		}
	}
}
