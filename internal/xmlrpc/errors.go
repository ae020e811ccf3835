package xmlrpc

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The sentinel errors say which kind of mistake a client made, so that the
// server can pick the fault code the interoperability convention assigns to
// it; the wrapping error says what exactly was wrong and where.
var (
	// ErrNotWellFormed means the body is not XML: truncated, mismatched
	// tags, a bad entity, junk after the root element (fault -32700).
	ErrNotWellFormed = errors.New("xmlrpc: not well-formed XML")
	// ErrUnsupportedEncoding means the document declares a character
	// encoding the codec does not read (fault -32701).
	ErrUnsupportedEncoding = errors.New("xmlrpc: unsupported encoding")
	// ErrInvalidCharacter means a byte sequence is not a character the
	// declared encoding or XML 1.0 allows: invalid UTF-8, a control
	// character, non-ASCII in a US-ASCII document, or a character
	// reference to any of those (fault -32702).
	ErrInvalidCharacter = errors.New("xmlrpc: invalid character")
	// ErrInvalidRequest means the XML is well formed but is not XML-RPC:
	// a wrong root, an unknown type, a bad number, a duplicate member,
	// text where none belongs, or a DTD (fault -32600).
	ErrInvalidRequest = errors.New("xmlrpc: invalid XML-RPC")
	// ErrLimit means the document exceeds a bound of [Limits]; the message
	// names the limit and its value so an operator can raise it (fault
	// -32600, as the convention has no code of its own for this).
	ErrLimit = errors.New("xmlrpc: limit exceeded")
)

// parseError carries a sentinel plus where in the document it happened.
type parseError struct {
	kind      error
	line, col int // 1-based; col counts characters, so it holds after transcoding
	msg       string
}

func (e *parseError) Error() string {
	return e.kind.Error() + " at line " + strconv.Itoa(e.line) +
		", column " + strconv.Itoa(e.col) + ": " + e.msg
}

func (e *parseError) Unwrap() error { return e.kind }

// errAt builds an error at byte offset off of buf. Working out the line and
// column costs a pass over the prefix, which only the error path pays.
func errAt(buf []byte, origin, off int, kind error, format string, args ...any) error {
	line, col := position(buf, origin, off)
	return &parseError{kind: kind, line: line, col: col, msg: fmt.Sprintf(format, args...)}
}

// position converts a byte offset into a line and a column in characters.
func position(buf []byte, origin, off int) (line, col int) {
	off = min(max(off, origin), len(buf))
	line, start := 1, origin
	for i := origin; i < off; i++ {
		if buf[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCount(buf[start:off]) + 1
}

// quote shows a piece of client text in a message, cut short so that a
// huge bad value does not make a huge fault.
func quote(b []byte) string {
	const max = 40
	if len(b) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		return strconv.Quote(string(b[:cut])) + "..."
	}
	return strconv.Quote(string(b))
}
