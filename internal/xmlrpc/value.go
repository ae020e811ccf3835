package xmlrpc

import (
	"bytes"
	"encoding/binary"
)

// value reads a <value> whose start tag is v.
func (d *decoder) value(v tag) (any, error) {
	if v.empty() {
		return d.str(nil), nil
	}
	if tt, t, ok := d.typeTag(); ok {
		var val any
		var err error
		switch tt.compound {
		case arrayElement:
			val, err = d.array(t)
		case structElement:
			val, err = d.structure(t)
		default:
			val, err = d.scalar(t, tt.typ, tt.end)
		}
		if err != nil {
			return nil, err
		}
		return val, d.closeAs(v, &litValueEnd)
	}
	var text []byte
	if b := d.buf; d.pos+1 >= len(b) || b[d.pos] != '<' || nameClass[b[d.pos+1]]&nameStart == 0 {
		// Text first, not the type element right away as usual.
		var err error
		if text, err = d.content(v); err != nil {
			return nil, err
		}
		if d.textEnd(v, &litValueEnd) {
			return d.str(text), nil
		}
	}
	t, err := d.tag()
	if err != nil {
		return nil, err
	}
	if t.isEnd() {
		// No type element: a string, white space and all, as the spec
		// says and Python does.
		if err := d.matchEnd(v, t); err != nil {
			return nil, err
		}
		return d.str(text), nil
	}
	if !allSpace(text) {
		return nil, d.errAt(int(v.off), ErrInvalidRequest, "<%s> holds text %s beside its <%s> element", d.qname(v), quote(bytes.TrimSpace(text)), d.qname(t))
	}
	val, err := d.typed(t)
	if err != nil {
		return nil, err
	}
	return val, d.closeAs(v, &litValueEnd)
}

// scalarType is a type element other than <array> and <struct>, which
// typed looks up by name once.
type scalarType uint8

const (
	unknownType scalarType = iota
	stringType
	intType
	booleanType
	doubleType
	dateTimeType
	base64Type
	nilType
)

// typed reads the type element t of a value.
func (d *decoder) typed(t tag) (any, error) {
	var typ scalarType
	var end *tagLit // t's end tag, for text to match whole
	switch string(d.local(t)) {
	case "array":
		return d.array(t)
	case "struct":
		return d.structure(t)
	case "int":
		typ, end = intType, &litIntEnd
	case "string":
		typ, end = stringType, &litStringEnd
	case "i4":
		typ, end = intType, &litI4End
	case "i8":
		typ, end = intType, &litI8End
	case "boolean":
		typ, end = booleanType, &litBooleanEnd
	case "double":
		typ, end = doubleType, &litDoubleEnd
	case "dateTime.iso8601":
		typ = dateTimeType // its end tag is too long for literal
	case "base64":
		typ, end = base64Type, &litBase64End
	case "nil":
		typ, end = nilType, &litNilEnd
	}
	return d.scalar(t, typ, end)
}

// scalar reads the rest of the type element t, of type typ (unknownType
// for a name that is none) and end tag end (see text).
func (d *decoder) scalar(t tag, typ scalarType, end *tagLit) (any, error) {
	text, err := d.text(t, end)
	if err != nil {
		return nil, err
	}
	if d.inEncoded {
		return nil, d.encodeScalar(t, typ, text)
	}
	switch typ {
	case stringType:
		return string(text), nil
	case intType:
		// The spec makes <int> 32-bit, but kolo/xmlrpc and PHP write every
		// integer as <int>, and Python's server reads any size; refusing
		// what fits in 64 bits would only break those clients.
		return d.parseInt(t, text, 64)
	case booleanType:
		return d.parseBool(t, text)
	case doubleType:
		return d.parseDouble(t, text)
	case dateTimeType:
		return d.parseDateTime(t, text)
	case base64Type:
		return d.parseBase64(t, text)
	case nilType:
		return nil, d.checkNil(t, text)
	}
	return nil, d.unknownType(t)
}

// checkNil refuses a <nil> element with text in it.
func (d *decoder) checkNil(t tag, text []byte) error {
	if !allSpace(text) {
		return d.errAt(int(t.off), ErrInvalidRequest, "<%s> must be empty; it holds %s", d.qname(t), quote(bytes.TrimSpace(text)))
	}
	return nil
}

func (d *decoder) unknownType(t tag) error {
	// Unknown types include Apache's ex:serializable, a serialized Java
	// object that no one should deserialize.
	return d.errAt(int(t.off), ErrInvalidRequest, "unknown type <%s> (want int, i4, i8, boolean, string, double, dateTime.iso8601, base64, struct, array or nil)", d.qname(t))
}

// text reads the content of an element that holds only text, and its end
// tag; lit is that end tag, "</name>" for the local name the caller has
// checked, or nil (see textEnd). The result may live in the scanner's
// scratch buffer.
func (d *decoder) text(t tag, lit *tagLit) ([]byte, error) {
	if t.empty() {
		return nil, nil
	}
	if text, ok := d.plainText(t, lit); ok {
		return text, nil
	}
	text, err := d.content(t)
	if err != nil {
		return nil, err
	}
	if d.textEnd(t, lit) {
		return text, nil
	}
	end, err := d.tag()
	if err != nil {
		return nil, err
	}
	if !end.isEnd() {
		return nil, d.errAt(int(end.off), ErrInvalidRequest, "<%s> may hold only text, not <%s>", d.qname(t), d.qname(end))
	}
	return text, d.matchEnd(t, end)
}

// plainText is text for its most common case, which it reads in one
// pass with no call: plain text (no references, CDATA, comments, carriage
// returns or bytes to check) right up to lit, the end tag, which t has
// no prefix to change (or, when lit is nil, t's end tag as endTag reads
// it). It reports false, having read nothing, otherwise.
func (d *decoder) plainText(t tag, lit *tagLit) ([]byte, bool) {
	if t.local != t.off+1 {
		return nil, false
	}
	b := d.buf
	start := d.pos
	i := start
	for i < len(b) && textClass[b[i]] == 0 {
		i++
	}
	if lit == nil {
		// An end tag too long for a tagLit (</dateTime.iso8601>).
		if i+1 < len(b) && b[i+1] == '/' && d.endTag(t, i) {
			return b[start:i], true
		}
		return nil, false
	}
	if len(b)-i < 16 || lit.s == "" {
		return nil, false
	}
	w := (*[16]byte)(b[i:])
	le := binary.LittleEndian
	if (le.Uint64(w[:8])^lit.w0)&lit.m0|(le.Uint64(w[8:])^lit.w1)&lit.m1 != 0 {
		return nil, false
	}
	d.pos = i + len(lit.s)
	return b[start:i], true
}

// textEnd consumes the end tag of t right after its text, if it is there
// in its usual form. lit, if not nil, is that end tag spelled out for t's
// local name, which the caller has checked: without a prefix, lit is the
// end tag that matches, and comparing it whole is cheaper than endTag.
func (d *decoder) textEnd(t tag, lit *tagLit) bool {
	if d.pos+1 >= len(d.buf) || d.buf[d.pos+1] != '/' {
		return false // most often the type element of a value
	}
	if lit != nil && t.local == t.off+1 {
		_, ok := d.literal(lit)
		return ok
	}
	return d.endTag(t, d.pos)
}
