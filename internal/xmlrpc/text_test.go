package xmlrpc

import (
	"testing"
	"unicode/utf8"
)

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

func TestTextClass(t *testing.T) {
	for c := range 256 {
		want := uint8(0)
		switch {
		case c == '<', c == '&', c == ']', c == '\r':
			want = textStop
		case c < 0x20 && c != '\t' && c != '\n', c >= 0x80:
			want = textCheck
		}
		if textClass[c] != want {
			t.Errorf("textClass[%#x] = %d, want %d", c, textClass[c], want)
		}
	}
}

func TestSkipText(t *testing.T) {
	cases := []struct {
		in   string
		want int // offset of the stop, or of the bad character
		bad  bool
	}{
		{"", 0, false},
		{"abc", 3, false},
		{"a\tb\nc<", 5, false},
		{"café ☃ 😀 \u0085&", len("café ☃ 😀 \u0085"), false},
		{"ab]", 2, false},
		{"ab\r\n", 2, false},
		{"ab\x01<", 2, true},
		{"ab\x7fc", 4, false}, // DEL is allowed
		{"é\xff", 2, true},
		{"a\xc3", 1, true},
		{"a\xef\xbf\xbe", 1, true}, // U+FFFE
	}
	for _, c := range cases {
		s := scanner{buf: []byte(c.in)}
		i, err := s.skipText(0)
		if c.bad {
			checkErr(t, err, ErrInvalidCharacter)
			if pe, ok := err.(*parseError); !ok || pe.col != utf8.RuneCountInString(c.in[:c.want])+1 {
				t.Errorf("%q: %v, want the character at %d", c.in, err, c.want)
			}
			continue
		}
		if err != nil || i != c.want {
			t.Errorf("%q: got %d, %v; want %d", c.in, i, err, c.want)
		}
	}
}
