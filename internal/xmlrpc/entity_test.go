package xmlrpc

import "testing"

func TestRef(t *testing.T) {
	cases := []struct {
		in   string
		want rune
	}{
		{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&apos;", '\''}, {"&quot;", '"'},
		{"&#65;", 'A'}, {"&#x41;", 'A'}, {"&#x00041;", 'A'}, {"&#xe9;", 'é'}, {"&#XE9;", 0}, // capital X is not XML
		{"&#9;", '\t'}, {"&#13;", '\r'}, {"&#x10FFFF;", 0x10FFFF}, {"&#xFFFD;", 0xFFFD},
	}
	for _, c := range cases {
		s := scanner{buf: []byte(c.in + "rest")}
		r, next, err := s.ref(0)
		if c.want == 0 {
			if err == nil {
				t.Errorf("%s: accepted", c.in)
			}
			continue
		}
		if err != nil || r != c.want || next != len(c.in) {
			t.Errorf("%s: got %q, %d, %v", c.in, r, next, err)
		}
	}
}

func TestRefErrors(t *testing.T) {
	for in, want := range map[string]error{
		"&":          ErrNotWellFormed,
		"&lt":        ErrNotWellFormed,
		"& lt;":      ErrNotWellFormed,
		"&nbsp;":     ErrNotWellFormed,
		"&LT;":       ErrNotWellFormed,
		"&#;":        ErrNotWellFormed,
		"&#x;":       ErrNotWellFormed,
		"&#12":       ErrNotWellFormed,
		"&#1a;":      ErrNotWellFormed,
		"&#-1;":      ErrNotWellFormed,
		"&#0;":       ErrInvalidCharacter,
		"&#xFFFF;":   ErrInvalidCharacter,
		"&#xDFFF;":   ErrInvalidCharacter,
		"&#1114112;": ErrInvalidCharacter,
	} {
		s := scanner{buf: []byte(in)}
		_, _, err := s.ref(0)
		checkErr(t, err, want)
	}
}

func TestIsXMLChar(t *testing.T) {
	for r, want := range map[rune]bool{
		0: false, 8: false, 9: true, 10: true, 11: false, 13: true, 0x1F: false, 0x20: true,
		0xD7FF: true, 0xD800: false, 0xDFFF: false, 0xE000: true, 0xFFFD: true, 0xFFFE: false,
		0xFFFF: false, 0x10000: true, 0x10FFFF: true, 0x110000: false, -1: false,
	} {
		if isXMLChar(r) != want {
			t.Errorf("isXMLChar(%#x) != %v", r, want)
		}
	}
}
