package xmlrpc

import (
	"strings"
	"testing"
)

func TestEncodeErrorPath(t *testing.T) {
	e := (&encodeError{msg: "bad"}).at(".b").at("[2]").at("result")
	if got := e.Error(); got != "xmlrpc: cannot encode result[2].b: bad" {
		t.Errorf("got %q", got)
	}
	deep := &encodeError{msg: "bad"}
	for i := 0; i < 100_000; i++ {
		deep.at("[0]")
	}
	deep.at("result")
	if got := deep.Error(); got != "xmlrpc: cannot encode result[0][0][0][0][0][0][0]...[0][0][0]: bad" {
		t.Errorf("got %q", got)
	}
}

func TestBadText(t *testing.T) {
	for s, want := range map[string]string{
		"ab\x01":   `byte 2 of the string: control character "\x01" is not allowed in XML (send binary data as <base64>)`,
		"\xff":     "byte 0 of the string: byte 0xFF is not valid UTF-8",
		"a\uFFFEb": `byte 1 of the string: character "\ufffe" is not allowed in XML`,
	} {
		i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0xFFFD || r == 0xFFFE })
		if got := badText(s, i); !strings.HasPrefix(got, want) {
			t.Errorf("%q: got %q", s, got)
		}
	}
}
