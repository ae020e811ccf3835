package load

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// ErrWrongAnswer is wrapped by the error of a response that is not the
// expected methodResponse.
var ErrWrongAnswer = errors.New("wrong answer")

// intTags are the elements an XML-RPC integer may come in.
var intTags = []struct{ open, close []byte }{
	{[]byte("<int>"), []byte("</int>")},
	{[]byte("<i4>"), []byte("</i4>")},
	{[]byte("<i8>"), []byte("</i8>")},
}

// CheckInt verifies that body is a methodResponse whose one value is the
// integer want, written as <int>, <i4> or <i8>, as any server may. It is a
// scan for the first <value> after <param>, not a parse, so that checking
// every response costs the generator almost nothing; a fault (which has no
// <param>) is reported with its text.
func CheckInt(body []byte, want int64) error {
	if !bytes.Contains(body, []byte("<methodResponse>")) {
		return fmt.Errorf("%w: not a methodResponse: %q", ErrWrongAnswer, clip(body))
	}
	i := bytes.Index(body, []byte("<param>"))
	if i < 0 {
		return fmt.Errorf("%w: no <param> (a fault?): %q", ErrWrongAnswer, clip(body))
	}
	rest := body[i+len("<param>"):]
	j := bytes.Index(rest, []byte("<value>"))
	if j < 0 {
		return fmt.Errorf("%w: no <value> in the param: %q", ErrWrongAnswer, clip(body))
	}
	rest = bytes.TrimLeft(rest[j+len("<value>"):], " \t\r\n")
	for _, tag := range intTags {
		if !bytes.HasPrefix(rest, tag.open) {
			continue
		}
		rest = rest[len(tag.open):]
		end := bytes.IndexByte(rest, '<')
		if end < 0 || !bytes.HasPrefix(rest[end:], tag.close) {
			return fmt.Errorf("%w: unterminated %s: %q", ErrWrongAnswer, tag.open, clip(body))
		}
		got, err := strconv.ParseInt(string(bytes.TrimSpace(rest[:end])), 10, 64)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrWrongAnswer, err)
		}
		if got != want {
			return fmt.Errorf("%w: %d, want %d", ErrWrongAnswer, got, want)
		}
		return nil
	}
	return fmt.Errorf("%w: the value is not an integer: %q", ErrWrongAnswer, clip(body))
}

// clip shortens a body for an error message.
func clip(b []byte) []byte {
	if len(b) > 300 {
		return append(b[:300:300], "..."...)
	}
	return b
}
