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
// characters XML 1.0 allows (ascii: and only ASCII ones). It returns the
// offset of the first bad character, or -1.
func checkChars(b []byte, i int, ascii bool) int {
	for i < len(b) {
		if i = len(b) - len(skipPlain(b[i:])); i == len(b) {
			break
		}
		n := charLen(b, i, ascii)
		if n == 0 {
			return i
		}
		i += n
	}
	return -1
}

// charLen returns the length of the character at b[i] if XML 1.0 allows
// it (ascii: and it is ASCII), or 0.
func charLen(b []byte, i int, ascii bool) int {
	c := b[i]
	switch {
	case c >= 0x20 && c < 0x80, c == '\t', c == '\n', c == '\r':
		return 1
	case c < 0x80 || ascii:
		return 0
	}
	r, n := utf8.DecodeRune(b[i:])
	if r == utf8.RuneError && n == 1 || !isXMLChar(r) {
		return 0
	}
	return n
}

// skipPlain skips the plain bytes (printable ASCII, tab, line feed and
// carriage return) at the start of b, sixteen or eight at a time, and
// returns the rest: it starts at a byte that is not plain, or within the
// last eight bytes.
func skipPlain(b []byte) []byte {
	for len(b) >= 16 {
		w, v := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
		// A cheap test first, which most runs of text pass: a byte's top
		// bit is set in w-0x20.. if it is below 0x20 (or, through the
		// borrow, if a lower byte was), and in w if it is not ASCII.
		if (w|v|(w-0x20*oneBytes)|(v-0x20*oneBytes))&highBits != 0 {
			if m := unusualBytes(w); m != 0 {
				return b[bits.TrailingZeros64(m)>>3:]
			}
			if m := unusualBytes(v); m != 0 {
				return b[8+bits.TrailingZeros64(m)>>3:]
			}
		}
		b = b[16:]
	}
	if len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		if m := unusualBytes(w); m != 0 {
			return b[bits.TrailingZeros64(m)>>3:]
		}
		b = b[8:]
	}
	return b
}

const (
	lowBits  = 0x7F7F7F7F7F7F7F7F
	highBits = 0x8080808080808080
	oneBytes = 0x0101010101010101
)

// unusualBytes sets the top bit of each byte of the little-endian word w
// that is neither printable ASCII nor a tab, line feed or carriage return:
// the bytes checkChars must look at one by one. Pretty-printed documents
// have a line feed every few words, so letting those through here, rather
// than byte by byte, is what keeps them on the fast path.
// Every test works on seven-bit bytes, where no sum carries into the next
// byte, so each flag is exact.
func unusualBytes(w uint64) uint64 {
	low := w & lowBits
	spaces := byteEquals(low, '\t') | byteEquals(low, '\n') | byteEquals(low, '\r')
	// Flag bytes that are not ASCII or are below ' ', then clear the
	// ASCII spaces among them.
	return (w | ^(low + (0x80-0x20)*oneBytes)) & highBits &^ (spaces &^ w)
}

// byteEquals sets the top bit of each byte of the seven-bit word low that
// equals c.
func byteEquals(low uint64, c byte) uint64 {
	return ^((low ^ uint64(c)*oneBytes) + lowBits) & highBits
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
