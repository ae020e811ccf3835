package xmlrpc

import "encoding/binary"

// tagLit is a tag written out, "<value>" or "</param>", as literal
// compares it: its bytes as two little-endian words, zero past its end,
// with masks of the bytes it has. Working them out once, rather than
// loading and measuring the string on every compare, took a fifth off
// literal, which runs for nearly every tag of a document.
type tagLit struct {
	w0, w1, m0, m1 uint64
	s              string // "" for one that literal never finds
}

// newTagLit makes the tagLit of lit, which literal finds only if it is 4
// to 16 bytes long: no tag the grammar spells out is shorter, and a longer
// one is left to be read as a tag.
func newTagLit(lit string) tagLit {
	if len(lit) < 4 || len(lit) > 16 {
		return tagLit{}
	}
	var buf [16]byte
	copy(buf[:], lit)
	var mask [16]byte
	for i := range len(lit) {
		mask[i] = 0xFF
	}
	le := binary.LittleEndian
	return tagLit{w0: le.Uint64(buf[:]), w1: le.Uint64(buf[8:]), m0: le.Uint64(mask[:]), m1: le.Uint64(mask[8:]), s: lit}
}

// The tags the decoder spells out. They are read-only after
// initialization.
var (
	litMethodCall     = newTagLit("<methodCall>")
	litMethodCallEnd  = newTagLit("</methodCall>")
	litMethodResponse = newTagLit("<methodResponse>")
	litMethodName     = newTagLit("<methodName>")
	litMethodNameEnd  = newTagLit("</methodName>")
	litParams         = newTagLit("<params>")
	litParamsEnd      = newTagLit("</params>")
	litParam          = newTagLit("<param>")
	litParamEnd       = newTagLit("</param>")
	litValue          = newTagLit("<value>")
	litValueEnd       = newTagLit("</value>")
	litData           = newTagLit("<data>")
	litDataEnd        = newTagLit("</data>")
	litMember         = newTagLit("<member>")
	litMemberEnd      = newTagLit("</member>")
	litStructEnd      = newTagLit("</struct>")
	litName           = newTagLit("<name>")
	litNameEnd        = newTagLit("</name>")
	litIntEnd         = newTagLit("</int>")
	litStringEnd      = newTagLit("</string>")
	litI4End          = newTagLit("</i4>")
	litI8End          = newTagLit("</i8>")
	litBooleanEnd     = newTagLit("</boolean>")
	litDoubleEnd      = newTagLit("</double>")
	litBase64End      = newTagLit("</base64>")
	litNilEnd         = newTagLit("</nil>")
)

// literal skips white space and then lit, if it follows; it returns the
// offset after the white space and whether lit was there. The grammar
// nearly always knows which tag comes next, and comparing it whole, as two
// masked words, is much cheaper than reading it. literal calls nothing, so
// that it needs no stack frame on the path nearly every document takes.
func (s *scanner) literal(lit *tagLit) (int, bool) {
	b := s.buf
	i := s.pos
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if len(b)-i < 16 {
		// Within 16 bytes of the end, where two words cannot be
		// loaded: byte by byte, which is rare.
		n := len(lit.s)
		if n == 0 || len(b)-i < n {
			return i, false
		}
		for k := range n {
			if b[i+k] != lit.s[k] {
				return i, false
			}
		}
		s.pos = i + n
		return i, true
	}
	w := (*[16]byte)(b[i:])
	le := binary.LittleEndian
	if (le.Uint64(w[:8])^lit.w0)&lit.m0|(le.Uint64(w[8:])^lit.w1)&lit.m1 != 0 || lit.s == "" {
		return i, false
	}
	s.pos = i + len(lit.s)
	return i, true
}

// literal2 is literal for either of two tags, a and b (nil for none),
// with one skip of the white space and one load: it returns 1 when it
// found a, 2 when it found b, and 0 when neither.
func (s *scanner) literal2(a, b *tagLit) (int, int) {
	buf := s.buf
	i := s.pos
	for i < len(buf) && isSpace(buf[i]) {
		i++
	}
	if len(buf)-i < 16 {
		if _, ok := s.literal(a); ok {
			return i, 1
		}
		if b != nil {
			if _, ok := s.literal(b); ok {
				return i, 2
			}
		}
		return i, 0
	}
	w := (*[16]byte)(buf[i:])
	le := binary.LittleEndian
	w0, w1 := le.Uint64(w[:8]), le.Uint64(w[8:])
	if (w0^a.w0)&a.m0|(w1^a.w1)&a.m1 == 0 && a.s != "" {
		s.pos = i + len(a.s)
		return i, 1
	}
	if b != nil && (w0^b.w0)&b.m0|(w1^b.w1)&b.m1 == 0 && b.s != "" {
		s.pos = i + len(b.s)
		return i, 2
	}
	return i, 0
}

// plainStartTag is the tag of lit, a start tag "<name>" that literal found
// at offset i.
func plainStartTag(i int, lit *tagLit) tag {
	return tag{off: int32(i), local: int32(i + 1), nameEnd: int32(i + len(lit.s) - 1)}
}

// plainEndTag is the tag of lit, an end tag "</name>" that literal found
// at offset i, closing the parent it was expected for.
func plainEndTag(i int, lit *tagLit) tag {
	return tag{off: int32(i), local: int32(i + 2), nameEnd: int32(i + len(lit.s) - 1), flags: endTag | closesParent}
}
