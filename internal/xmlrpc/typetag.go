package xmlrpc

import "encoding/binary"

// Nearly every <value> holds a type element written "<string>", "<int>",
// "<double>"... right after its start tag. Reading that tag (tag: the name
// byte by byte, then typed's switch on it) cost a tenth of the parse of a
// batch of readings; typeTag recognizes the common ones by comparing two
// words, as literal does, and says at once what the element is. Anything
// else (a prefix, attributes, white space, <nil/>, an unknown type) is
// left to tag and typed, which read every form.

// typeTag is one type element's start tag.
type typeTag struct {
	lit      tagLit // the tag, or its first 16 bytes
	rest     uint16 // the two bytes past the 16th, little-endian, if hasRest
	hasRest  bool
	compound uint8 // arrayElement, structElement, or 0 for a scalar
	typ      scalarType
	end      *tagLit // the scalar's end tag, for text (nil: read it as a tag)
}

const (
	arrayElement = 1 + iota
	structElement
)

// typeTags lists the common type elements, the most frequent first. It is
// read-only after initialization.
var typeTags = [...]typeTag{
	{lit: newTagLit("<string>"), typ: stringType, end: &litStringEnd},
	{lit: newTagLit("<int>"), typ: intType, end: &litIntEnd},
	{lit: newTagLit("<double>"), typ: doubleType, end: &litDoubleEnd},
	{lit: newTagLit("<dateTime.iso860"), rest: '1' | '>'<<8, hasRest: true, typ: dateTimeType}, // its end tag is too long for literal
	{lit: newTagLit("<struct>"), compound: structElement},
	{lit: newTagLit("<array>"), compound: arrayElement},
	{lit: newTagLit("<i4>"), typ: intType, end: &litI4End},
	{lit: newTagLit("<boolean>"), typ: booleanType, end: &litBooleanEnd},
	{lit: newTagLit("<i8>"), typ: intType, end: &litI8End},
	{lit: newTagLit("<base64>"), typ: base64Type, end: &litBase64End},
}

// typeTagsByLetter indexes typeTags by the first letter of the name, so
// that typeTag compares with at most three of them.
var typeTagsByLetter = func() (t [256][]uint8) {
	for k, tt := range typeTags {
		c := tt.lit.s[1]
		t[c] = append(t[c], uint8(k))
	}
	return t
}()

// typeTag reads one of typeTags at d.pos, exactly there, and returns it and
// the tag as tag would read it; it reports false, reading nothing, if none
// is there.
func (d *decoder) typeTag() (*typeTag, tag, bool) {
	b, i := d.buf, d.pos
	if len(b)-i < 18 {
		return nil, tag{}, false // near the end of the document: tag reads it
	}
	w := (*[18]byte)(b[i:])
	le := binary.LittleEndian
	w0, w1 := le.Uint64(w[:8]), le.Uint64(w[8:16])
	for _, k := range typeTagsByLetter[w[1]] {
		tt := &typeTags[k]
		if (w0^tt.lit.w0)&tt.lit.m0|(w1^tt.lit.w1)&tt.lit.m1 == 0 && (!tt.hasRest || le.Uint16(w[16:]) == tt.rest) {
			n := len(tt.lit.s)
			if tt.hasRest {
				n += 2
			}
			d.pos = i + n
			return tt, tag{off: int32(i), local: int32(i + 1), nameEnd: int32(i + n - 1)}, true
		}
	}
	return nil, tag{}, false
}
