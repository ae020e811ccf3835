package xmlrpc

import "testing"

func TestTag(t *testing.T) {
	cases := []struct {
		in          string
		name, local string
		end, empty  bool
		rest        string
	}{
		{"<a>x", "a", "a", false, false, "x"},
		{"<a/>x", "a", "a", false, true, "x"},
		{"<a />x", "a", "a", false, true, "x"},
		{"</a>x", "a", "a", true, false, "x"},
		{"</a \n>x", "a", "a", true, false, "x"},
		{"<ex:i8>x", "ex:i8", "i8", false, false, "x"},
		{"<dateTime.iso8601>x", "dateTime.iso8601", "dateTime.iso8601", false, false, "x"},
		{`<a b="1" c='2'>x`, "a", "a", false, false, "x"},
		{`<a b="'>" c='"/>'/>x`, "a", "a", false, true, "x"},
		{"<a\n\tb\n=\n'1'\n>x", "a", "a", false, false, "x"},
		{"<_a-b.c:d>x", "_a-b.c:d", "d", false, false, "x"},
		{"<é>x", "é", "é", false, false, "x"},
	}
	for _, c := range cases {
		s := scanner{buf: []byte(c.in)}
		tg, err := s.tag()
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if string(s.qname(tg)) != c.name || string(s.local(tg)) != c.local || tg.isEnd() != c.end || tg.empty() != c.empty || string(s.buf[s.pos:]) != c.rest {
			t.Errorf("%s: got %+v rest %q", c.in, tg, s.buf[s.pos:])
		}
	}
	for _, in := range []string{"<", "<1a>", "<-a>", "<a", "<a b>", "<a b=>", "<a b=1>", `<a b="1>`, `<a b="<">`, `<a b="1"c="2">`, "<a/ >", "</a b>", "</a", "</>", "<a =\"1\">"} {
		s := scanner{buf: []byte(in)}
		_, err := s.tag()
		checkErr(t, err, ErrNotWellFormed)
	}
}

func TestIsSpace(t *testing.T) {
	for c := range 256 {
		if want := c == ' ' || c == '\t' || c == '\n' || c == '\r'; isSpace(byte(c)) != want {
			t.Errorf("isSpace(%#x) = %v", c, !want)
		}
	}
}
