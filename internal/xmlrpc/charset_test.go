package xmlrpc

import (
	"strings"
	"testing"
)

func TestLookupCharset(t *testing.T) {
	for name, want := range map[string]charset{
		"UTF-8": csUTF8, "utf8": csUTF8, "US-ASCII": csASCII, "ascii": csASCII,
		"ISO-8859-1": csLatin1, "latin1": csLatin1, "Latin-1": csLatin1, "iso_8859-1": csLatin1,
	} {
		if got, ok := lookupCharset([]byte(name)); !ok || got != want {
			t.Errorf("%s: got %v, %v", name, got, ok)
		}
	}
	for _, name := range []string{"", "utf-16", "windows-1252", "ebcdic", "utf-8 "} {
		if _, ok := lookupCharset([]byte(name)); ok {
			t.Errorf("%q accepted", name)
		}
	}
}

func TestLatin1ToUTF8(t *testing.T) {
	in := []byte("caf\xe9 \xff\x80!")
	if got := string(latin1ToUTF8(in)); got != "café \u00ff\u0080!" {
		t.Errorf("got %q", got)
	}
	plain := []byte("plain")
	if got := latin1ToUTF8(plain); &got[0] != &plain[0] {
		t.Error("ASCII input was copied")
	}
}

func TestCheckChars(t *testing.T) {
	long := strings.Repeat("abcdefgh", 4)
	cases := []struct {
		in    string
		ascii bool
		want  int
	}{
		{"", false, -1},
		{long, false, -1},
		{long + "\t\n\r", false, -1},
		{"café ☃ 😀 \u0085 \uFFFD", false, -1},
		{"ab\x00", false, 2},
		{long + "\x01" + long, false, 32},
		{"a\x7f", false, -1}, // DEL is allowed in XML 1.0
		{"a\xff", false, 1},
		{"a\xc3", false, 1},         // truncated sequence
		{"a\xed\xa0\x80", false, 1}, // a surrogate
		{"a\xef\xbf\xbe", false, 1}, // U+FFFE
		{"a\xef\xbf\xbf", false, 1}, // U+FFFF
		{"abc\xc3\xa9", true, 3},
		{long + "é", true, 32},
		{"abc", true, -1},
	}
	for _, c := range cases {
		if got := checkChars([]byte(c.in), 0, c.ascii); got != c.want {
			t.Errorf("checkChars(%q, %v) = %d, want %d", c.in, c.ascii, got, c.want)
		}
	}
}

func TestInvalidCharacters(t *testing.T) {
	v := func(s string) string { return call("<value>" + s + "</value>") }
	runErrCases(t, []errCase{
		{"invalid utf-8", v("a\xffb"), ErrInvalidCharacter, []string{"byte 0xFF is not valid UTF-8", "column 83"}},
		{"invalid utf-8 in name", "<methodCall><methodName>\xc3</methodName></methodCall>", ErrInvalidCharacter, []string{"not valid UTF-8"}},
		{"invalid utf-8 in comment", "<!-- \xff --><methodCall/>", ErrInvalidCharacter, []string{"line 1, column 6"}},
		{"control char", v("a\x01b"), ErrInvalidCharacter, []string{`control character "\x01"`}},
		{"nul", v("\x00"), ErrInvalidCharacter, []string{`"\x00"`}},
		{"control char second line", "<methodCall>\n<methodName>a\x1b</methodName></methodCall>", ErrInvalidCharacter, []string{"line 2, column 14"}},
		{"U+FFFE", v("\uFFFE"), ErrInvalidCharacter, []string{"is not allowed in XML"}},
		{"char ref nul", v("&#0;"), ErrInvalidCharacter, []string{"&#0; is to a character XML 1.0 does not allow"}},
		{"char ref control", v("&#x1F;"), ErrInvalidCharacter, []string{"&#x1F;"}},
		{"char ref surrogate", v("&#xD800;"), ErrInvalidCharacter, []string{"&#xD800;"}},
		{"char ref FFFE", v("&#65534;"), ErrInvalidCharacter, []string{"&#65534;"}},
		{"char ref too big", v("&#x110000;"), ErrInvalidCharacter, []string{"&#x110000;"}},
		{"char ref huge", v("&#99999999999999999999999999;"), ErrInvalidCharacter, []string{"does not allow"}},
		{"ascii with non-ascii", `<?xml version="1.0" encoding="us-ascii"?>` + v("café"), ErrInvalidCharacter, []string{"byte 0xC3 is not US-ASCII"}},
		{"latin1 control", "<?xml version='1.0' encoding='iso-8859-1'?>" + v("\x02"), ErrInvalidCharacter, []string{"control character"}},
		{"non-ascii declaration", "<?xml version=\"1.0\" standalone=\"\xe9\"?><methodCall/>", ErrInvalidCharacter, []string{"XML declaration holds byte 0xE9"}},
	})
}

func TestUnusualBytes(t *testing.T) {
	for c := range 256 {
		plain := c >= 0x20 && c < 0x80 || c == '\t' || c == '\n' || c == '\r'
		for pos := range 8 {
			// Put c among neighbours that could disturb it through a
			// carry or a borrow: 0x00, 0x80, 0xFF, ' ' and '\n'.
			for _, fill := range []byte{'a', 0x00, 0x80, 0xFF, ' ', '\n'} {
				var w uint64
				for k := range 8 {
					b := fill
					if k == pos {
						b = byte(c)
					}
					w |= uint64(b) << (8 * k)
				}
				got := unusualBytes(w)>>(8*pos+7)&1 == 1
				if got == plain {
					t.Fatalf("byte %#x at %d among %#x: flagged %v", c, pos, fill, got)
				}
			}
		}
	}
}

func TestSkipPlain(t *testing.T) {
	for n := range 40 {
		for bad := range n {
			b := []byte(strings.Repeat("a\n\tb\r ~", 8)[:n])
			b[bad] = 0x01
			rest := skipPlain(b)
			if got := n - len(rest); got > bad || (got < bad && len(rest) >= 8) {
				t.Errorf("n=%d bad=%d: skipped %d", n, bad, got)
			}
		}
		plain := []byte(strings.Repeat("x\n", 20)[:n])
		if rest := skipPlain(plain); len(rest) >= 8 {
			t.Errorf("n=%d: stopped %d bytes early in plain text", n, len(rest))
		}
	}
}

// BenchmarkCheckChars runs the pass that ASCII and ISO-8859-1 documents,
// and UTF-8 ones that fail, still make over every character.
func BenchmarkCheckChars(b *testing.B) {
	a := make([]any, 10_000)
	for i := range a {
		a[i] = int64(i * 7919)
	}
	big, _ := AppendRequest(nil, "sum", []any{a})
	for name, body := range map[string][]byte{"python": []byte(pyAdd), "compact": big, "crlf": []byte(xmlrpccRequest)} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if checkChars(body, 0, false) >= 0 {
					b.Fatal("bad character")
				}
			}
		})
	}
}
