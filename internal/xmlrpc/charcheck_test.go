package xmlrpc

import (
	"errors"
	"testing"
)

// TestCharsFirst checks that a UTF-8 document with a bad character fails
// for its first one, as when every character was checked before reading,
// wherever the scanner stops and whatever it is passing there.
func TestCharsFirst(t *testing.T) {
	for _, doc := range []string{
		"<!-- \x01 --><methodCall><methodName>a</methodName></methodCall>",
		"<?pi \x01?><methodCall><methodName>a</methodName></methodCall>",
		"<methodCall a='\x01'><methodName>a</methodName></methodCall>",
		"<methodCall a='\xff'><methodName>a</methodName></methodCall>",
		"<methodCall><methodN\xffme>a</methodN\xffme></methodCall>",
		"<methodCall><methodName>a\x7f\x1b</methodName></methodCall>",
		"<methodCall><methodName>\xed\xa0\x80</methodName></methodCall>",
		"<methodCall><methodName>a&amp;\x02</methodName></methodCall>",
		"<methodCall><methodName><![CDATA[\x02]]></methodName></methodCall>",
		"<methodCall><methodName>a</methodName></methodCall><!-- \x01 -->",
		"<methodCall><methodName>a</methodName></methodCall>\n\x00",
		"<methodCall>\x0b<methodName>a</methodName></methodCall>",
		call("<value><string>\uFFFE</string></value>"),
		call("<value><struct><member><name>\x01</name><value/></member></struct></value>"),
		// The parse stops before the bad character.
		"<methodCall><methodName>a</methodNam></methodCall>\x01",
		"<methodCall><methodName>a</methodName><params><param><value><int>x</int></value></param></params></methodCall><!--\xff-->",
		"<methodResponse><bad/>\x01</methodResponse>",
		"<methodCall><methodName>a</methodName>&bogus;\x01</methodCall>",
		"\xef\xbb\xbf<?xml version='1.0'?><methodCall>\x01",
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><methodCall></x>` + "\x01",
		nested(65, false) + "\x01",
	} {
		body := []byte(doc)
		_, errReq := ParseRequest(body, Limits{})
		_, errResp := ParseResponse(body, Limits{})
		for _, err := range []error{errReq, errResp} {
			var pe *parseError
			if !errors.As(err, &pe) || pe.kind != ErrInvalidCharacter {
				t.Errorf("%q: got %v, want an invalid character", doc, err)
				continue
			}
			s := scanner{}
			if err := s.open(body); err != nil {
				t.Fatalf("%q: %v", doc, err)
			}
			i := checkChars(s.buf, s.pos, false)
			if want := s.charError(i).Error(); err.Error() != want {
				t.Errorf("%q:\n got %v\nwant %v", doc, err, want)
			}
		}
	}
}

// TestCharsChecked parses documents whose unusual characters are all
// allowed, in every place the scanner checks.
func TestCharsChecked(t *testing.T) {
	doc := "<!-- é --><?pi ☃?><methodCall a='é\t'><méthodName>x</méthodName><methodName>é😀<![CDATA[é]]></methodName></methodCall>\n<!-- \u0085 -->"
	_, err := ParseRequest([]byte(doc), Limits{})
	checkErr(t, err, ErrInvalidRequest, "unexpected <méthodName>")
	req, err := ParseRequest([]byte("<methodCall a='é'><!-- ☃ --><methodName>é😀<![CDATA[ü]]></methodName></methodCall><?é x?>"), Limits{})
	if err != nil || req.Method != "é😀ü" {
		t.Errorf("got %q, %v", req.Method, err)
	}
}

func TestCheckSpan(t *testing.T) {
	s := scanner{buf: []byte("ab\x01cdé\xffg")}
	if err := s.checkSpan(0, 2); err != nil {
		t.Error(err)
	}
	if err := s.checkSpan(3, 7); err != nil {
		t.Error(err)
	}
	checkErr(t, s.checkSpan(1, 3), ErrInvalidCharacter, `control character "\x01"`, "column 3")
	checkErr(t, s.checkSpan(4, 8), ErrInvalidCharacter, "byte 0xFF is not valid UTF-8", "column 7")
}
