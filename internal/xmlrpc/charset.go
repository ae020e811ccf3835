package xmlrpc

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// charset is a document encoding the decoder reads. UTF-8 is what the spec
// and nearly every client use; Perl's RPC::XML declares US-ASCII, and
// ISO-8859-1 is the one legacy encoding cheap enough to transcode by hand.
type charset uint8

const (
	csUTF8 charset = iota
	csASCII
	csLatin1
)

// lookupCharset recognizes an encoding name from the XML declaration.
func lookupCharset(name []byte) (charset, bool) {
	for _, c := range [...]struct {
		name string
		cs   charset
	}{
		{"utf-8", csUTF8}, {"utf8", csUTF8},
		{"us-ascii", csASCII}, {"ascii", csASCII},
		{"iso-8859-1", csLatin1}, {"iso8859-1", csLatin1}, {"iso_8859-1", csLatin1},
		{"latin1", csLatin1}, {"latin-1", csLatin1},
	} {
		if bytes.EqualFold(name, []byte(c.name)) {
			return c.cs, true
		}
	}
	return 0, false
}

// latin1ToUTF8 transcodes ISO-8859-1, where every byte is the code point of
// the same number. It copies only when there is something to transcode.
func latin1ToUTF8(b []byte) []byte {
	n := 0
	for _, c := range b {
		if c >= 0x80 {
			n++
		}
	}
	if n == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+n)
	for _, c := range b {
		if c < 0x80 {
			out = append(out, c)
		} else {
			out = append(out, 0xC0|c>>6, 0x80|c&0x3F)
		}
	}
	return out
}

// checkChars checks from offset i on that b is UTF-8 holding only
// characters XML 1.0 allows (ascii: and only ASCII ones). Checking the
// whole document once up front lets the scanner trust every byte. It
// returns the offset of the first bad character, or -1.
func checkChars(b []byte, i int, ascii bool) int {
	for i < len(b) {
		// Skip printable ASCII eight bytes at a time. A byte's top bit
		// is set in w-0x20.. if it is below 0x20 (or, through the
		// borrow, if a lower byte was), and in w if it is not ASCII; so
		// the lowest flagged byte is the first that needs a closer look.
		if i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			m := (w | (w - 0x2020202020202020)) & 0x8080808080808080
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		c := b[i]
		switch {
		case c >= 0x20 && c < 0x80, c == '\t', c == '\n', c == '\r':
			i++
		case c < 0x80 || ascii:
			return i
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 || !isXMLChar(r) {
				return i
			}
			i += n
		}
	}
	return -1
}

// describeBadChar says what is wrong with the character at b[i].
func describeBadChar(b []byte, i int, ascii bool) string {
	c := b[i]
	switch {
	case c < 0x80:
		return "control character " + quote(b[i:i+1]) + " is not allowed in XML (send binary data as <base64>)"
	case ascii:
		return "byte " + hexByte(c) + " is not US-ASCII, which the document declares as its encoding"
	}
	r, n := utf8.DecodeRune(b[i:])
	if r == utf8.RuneError && n == 1 {
		return "byte " + hexByte(c) + " is not valid UTF-8 (declare the document's real encoding)"
	}
	return "character " + quote(b[i:i+n]) + " is not allowed in XML"
}

func hexByte(c byte) string {
	const digits = "0123456789ABCDEF"
	return "0x" + string([]byte{digits[c>>4], digits[c&0xF]})
}
