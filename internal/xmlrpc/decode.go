package xmlrpc

import "bytes"

// Request is a decoded methodCall. Params is never nil, so that "no
// params" reaches a guest as an empty array rather than as nil.
type Request struct {
	Method string
	Params []any
}

// decoder is one parse: the scanner plus what the grammar tracks. It lives
// on the caller's stack.
type decoder struct {
	scanner
	lim   Limits
	depth int // <array>/<struct> values open
	items int // array elements, struct members and params so far
	names nameCache
}

// ParseRequest decodes a methodCall body. It accepts the dialects of real
// clients (see the package documentation) and refuses anything a strict
// reading of XML 1.0 and the XML-RPC spec would, so that a bad request
// fails here with a precise message rather than deep inside a procedure.
// The method name is returned as sent; checking it is up to dispatch. The
// result shares no memory with body, which the caller may reuse at once.
func ParseRequest(body []byte, lim Limits) (Request, error) {
	d := decoder{lim: lim.withDefaults()}
	root, err := d.root(body, "methodCall")
	if err != nil {
		return Request{}, err
	}
	req, err := d.methodCall(root)
	if err != nil {
		return Request{}, err
	}
	if err := d.epilog(); err != nil {
		return Request{}, err
	}
	return req, nil
}

// ParseResponse returns the value of a methodResponse; a <fault> response returns (nil, *abi.Fault).
// Any other error wraps one of the sentinels, as for ParseRequest, so a
// caller can tell a server's fault from a server's garbage.
func ParseResponse(body []byte, lim Limits) (any, error) {
	d := decoder{lim: lim.withDefaults()}
	root, err := d.root(body, "methodResponse")
	if err != nil {
		return nil, err
	}
	v, fault, err := d.methodResponse(root)
	if err != nil {
		return nil, err
	}
	if err := d.epilog(); err != nil {
		return nil, err
	}
	if fault != nil {
		return nil, fault
	}
	return v, nil
}

// root reads up to and including the root element's start tag.
func (d *decoder) root(body []byte, want string) (tag, error) {
	if err := d.open(body); err != nil {
		return tag{}, err
	}
	if err := d.misc(); err != nil {
		return tag{}, err
	}
	if d.pos >= len(d.buf) {
		return tag{}, d.errAt(d.pos, ErrNotWellFormed, "document has no root element")
	}
	t, err := d.tag()
	if err != nil {
		return t, err
	}
	if t.isEnd() {
		return t, d.errAt(int(t.off), ErrNotWellFormed, "end tag </%s> has no start tag", d.qname(t))
	}
	if string(d.local(t)) != want {
		return t, d.errAt(int(t.off), ErrInvalidRequest, "root element is <%s>; want <%s>", d.qname(t), want)
	}
	return t, nil
}

// epilog checks that nothing but comments and white space follow the root.
func (d *decoder) epilog() error {
	if err := d.misc(); err != nil {
		return err
	}
	if d.pos < len(d.buf) {
		return d.errAt(d.pos, ErrNotWellFormed, "junk after the root element")
	}
	return nil
}

// next reads the next child tag of parent, allowing only white space
// (and comments) before it: XML-RPC's structural elements hold no text.
// likely names the child the grammar expects, whose plain start tag is
// then matched without scanning its name.
func (d *decoder) next(parent tag, likely string) (tag, error) {
	b := d.buf
	if i := skipSpace(b, d.pos); i+1 < len(b) && b[i] == '<' && b[i+1] != '!' && b[i+1] != '?' {
		if t, ok := d.startTag(likely, i); ok {
			return t, nil
		}
		d.pos = i
		return d.tag()
	}
	start := d.pos
	text, err := d.content(parent)
	if err != nil {
		return tag{}, err
	}
	if !allSpace(text) {
		return tag{}, d.errAt(skipSpace(d.buf, start), ErrInvalidRequest, "unexpected text %s in <%s>", quote(bytes.TrimSpace(text)), d.qname(parent))
	}
	return d.tag()
}

// matchEnd checks that end closes open.
func (d *decoder) matchEnd(open, end tag) error {
	if !equalShort(d.qname(open), d.qname(end)) {
		line, col := position(d.buf, d.origin, int(open.off))
		return d.errAt(int(end.off), ErrNotWellFormed, "end tag </%s> does not match start tag <%s> at line %d, column %d", d.qname(end), d.qname(open), line, col)
	}
	return nil
}

// close reads the end tag of open, which must have no children left.
func (d *decoder) close(open tag) error {
	if d.endTag(open, skipSpace(d.buf, d.pos)) {
		return nil
	}
	t, err := d.next(open, "")
	if err != nil {
		return err
	}
	if !t.isEnd() {
		return d.errAt(int(t.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want </%s>", d.qname(t), d.qname(open), d.qname(open))
	}
	return d.matchEnd(open, t)
}

// count counts one array element, struct member or param.
func (d *decoder) count(t tag) error {
	d.items++
	if d.items > d.lim.MaxItems {
		return d.errAt(int(t.off), ErrLimit, "document holds more than %d array elements, struct members and params (MaxItems)", d.lim.MaxItems)
	}
	return nil
}
