package xmlrpc

import (
	"strings"
	"testing"
)

func TestLiteral(t *testing.T) {
	cases := []struct {
		doc, lit string
		pos      int // where the scan starts
		at       int // the offset literal returns
		ok       bool
	}{
		{"<value>x", "<value>", 0, 0, true},
		{" \n\t\r<value>x", "<value>", 0, 4, true},
		{"ab<value>", "<value>", 2, 2, true},
		{"<value>", "<value>", 0, 0, true}, // ends the document
		{"</methodName>", "</methodName>", 0, 0, true},
		{"<methodResponse>", "<methodResponse>", 0, 0, true}, // 16 bytes
		{"<nil>", "<nil>", 0, 0, true},                       // 5 bytes
		{"<valuE>", "<value>", 0, 0, false},                  // last byte differs
		{"<Value>", "<value>", 0, 0, false},                  // first
		{"</methodNames>", "</methodName>", 0, 0, false},
		{"</methodNbme>", "</methodName>", 0, 0, false}, // in the overlap
		{"<value", "<value>", 0, 0, false},              // too short a document
		{"  <val", "<value>", 0, 2, false},
		{"", "<value>", 0, 0, false},
		{"x<value>", "<value>", 0, 0, false},
		{"<a>", "<a>", 0, 0, false}, // too short a literal
		{"<dateTime.iso8601>", "<dateTime.iso8601>", 0, 0, false},
	}
	for _, c := range cases {
		s := scanner{buf: []byte(c.doc), pos: c.pos}
		lit := newTagLit(c.lit)
		at, ok := s.literal(&lit)
		wantPos := c.pos
		if c.ok {
			wantPos = c.at + len(c.lit)
		}
		if at != c.at || ok != c.ok || s.pos != wantPos {
			t.Errorf("%q in %q from %d: got %d, %v, pos %d", c.lit, c.doc, c.pos, at, ok, s.pos)
		}
	}
}

// TestLiteralEveryByte changes each byte of each tag the decoder spells
// out, so that a word boundary the compare misses would show.
func TestLiteralEveryByte(t *testing.T) {
	for _, lit := range []string{"<i4>", "</i4>", "<int>", "<data>", "<value>", "</value>", "<member>", "</string>", "<methodName>", "</methodCall>", "<methodResponse>"} {
		for i := range len(lit) {
			doc := []byte(lit + strings.Repeat(" ", i%3))
			doc[i] ^= 1
			s := scanner{buf: doc}
			l := newTagLit(lit)
			if _, ok := s.literal(&l); ok {
				t.Errorf("%q found in %q", lit, doc)
			}
		}
	}
}

// plainStartTag must describe the tag as the scanner's tag() would.
func TestPlainStartTagMatchesTag(t *testing.T) {
	doc := "  <value>"
	s := scanner{buf: []byte(doc), pos: 2}
	want, err := s.tag()
	if err != nil {
		t.Fatal(err)
	}
	if got := plainStartTag(2, &litValue); got != want {
		t.Errorf("plainStartTag(2, <value>) = %+v; tag() = %+v", got, want)
	}
}
