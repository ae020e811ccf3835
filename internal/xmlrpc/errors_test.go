package xmlrpc

import (
	"errors"
	"strings"
	"testing"
)

func TestPosition(t *testing.T) {
	buf := []byte("ab\ncdé\nf")
	cases := []struct{ off, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {7, 2, 4}, {8, 3, 1}, {9, 3, 2}, {100, 3, 2},
	}
	for _, c := range cases {
		if line, col := position(buf, 0, c.off); line != c.line || col != c.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", c.off, line, col, c.line, c.col)
		}
	}
	// A byte order mark is not a column.
	if line, col := position([]byte("\xef\xbb\xbfab"), 3, 4); line != 1 || col != 2 {
		t.Errorf("after BOM: %d:%d", line, col)
	}
}

func TestQuote(t *testing.T) {
	if got := quote([]byte("a\"b")); got != `"a\"b"` {
		t.Errorf("got %s", got)
	}
	long := strings.Repeat("é", 30) // 60 bytes
	got := quote([]byte(long))
	if !strings.HasSuffix(got, `"...`) || !strings.HasPrefix(got, `"éé`) || strings.Contains(got, `\x`) {
		t.Errorf("got %s", got)
	}
}

func TestParseErrorFormat(t *testing.T) {
	_, err := ParseRequest([]byte("<methodCall>\n  <methodName>a</methodName>\n  <foo/>\n</methodCall>"), Limits{})
	want := "xmlrpc: invalid XML-RPC at line 3, column 3: unexpected <foo> in <methodCall>; want <methodName> or <params>"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	var pe *parseError
	if !errors.As(err, &pe) || pe.line != 3 || pe.col != 3 {
		t.Errorf("parseError %+v", pe)
	}
	if errors.Unwrap(err) != ErrInvalidRequest {
		t.Errorf("unwraps to %v", errors.Unwrap(err))
	}
}
