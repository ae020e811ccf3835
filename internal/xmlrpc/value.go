package xmlrpc

import "bytes"

// value reads a <value> whose start tag is v.
func (d *decoder) value(v tag) (any, error) {
	if v.empty() {
		return "", nil
	}
	text, err := d.content(v)
	if err != nil {
		return nil, err
	}
	if d.endTag(v, d.pos) {
		return string(text), nil
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
		return string(text), nil
	}
	if !allSpace(text) {
		return nil, d.errAt(int(v.off), ErrInvalidRequest, "<%s> holds text %s beside its <%s> element", d.qname(v), quote(bytes.TrimSpace(text)), d.qname(t))
	}
	val, err := d.typed(t)
	if err != nil {
		return nil, err
	}
	return val, d.close(v)
}

// typed reads the type element t of a value.
func (d *decoder) typed(t tag) (any, error) {
	switch string(d.local(t)) {
	case "array":
		return d.array(t)
	case "struct":
		return d.structure(t)
	}
	text, err := d.text(t)
	if err != nil {
		return nil, err
	}
	switch string(d.local(t)) {
	case "string":
		return string(text), nil
	case "int", "i4", "i8":
		// The spec makes <int> 32-bit, but kolo/xmlrpc and PHP write every
		// integer as <int>, and Python's server reads any size; refusing
		// what fits in 64 bits would only break those clients.
		return d.parseInt(t, text, 64)
	case "boolean":
		return d.parseBool(t, text)
	case "double":
		return d.parseDouble(t, text)
	case "dateTime.iso8601":
		return d.parseDateTime(t, text)
	case "base64":
		return d.parseBase64(t, text)
	case "nil":
		if !allSpace(text) {
			return nil, d.errAt(int(t.off), ErrInvalidRequest, "<%s> must be empty; it holds %s", d.qname(t), quote(bytes.TrimSpace(text)))
		}
		return nil, nil
	}
	// Unknown types include Apache's ex:serializable, a serialized Java
	// object that no one should deserialize.
	return nil, d.errAt(int(t.off), ErrInvalidRequest, "unknown type <%s> (want int, i4, i8, boolean, string, double, dateTime.iso8601, base64, struct, array or nil)", d.qname(t))
}

// text reads the content of an element that holds only text, and its end
// tag. The result may live in the scanner's scratch buffer.
func (d *decoder) text(t tag) ([]byte, error) {
	if t.empty() {
		return nil, nil
	}
	text, err := d.content(t)
	if err != nil {
		return nil, err
	}
	if d.endTag(t, d.pos) {
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
