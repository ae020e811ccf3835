package xmlrpc

import (
	"bytes"

	"github.com/rpchost/rpchost/abi"
)

// Request is a decoded methodCall. Params is never nil, so that "no
// params" reaches a guest as an empty array rather than as nil.
type Request struct {
	Method string
	Params []any
	// TimeDigits is how many digits the longest fraction of a second among
	// the request's dateTimes had (0 when none had one, at most 9), so the
	// response can write times in the form the client sent.
	TimeDigits int
}

// decoder is one parse: the scanner plus what the grammar tracks. It lives
// on the caller's stack.
type decoder struct {
	scanner
	lim   Limits
	depth int // <array>/<struct> values open
	items int // array elements, struct members and params so far
	// timeDigits is the longest fraction of a second read, in digits.
	timeDigits int
	names      nameCache
	// memberNames holds the member names of the structs being read,
	// innermost last, to find a repeated one.
	memberNames []string
	// encoding makes array and struct params come out as abi.Encoded
	// (ParseRequestEncoded); inEncoded is true while one is being written
	// into enc. See encoded.go.
	encoding, inEncoded bool
	enc                 []byte
}

// ParseRequest decodes a methodCall body. It accepts the dialects of real
// clients (see the package documentation) and refuses anything a strict
// reading of XML 1.0 and the XML-RPC spec would, so that a bad request
// fails here with a precise message rather than deep inside a procedure.
// The method name is returned as sent; checking it is up to dispatch. The
// result shares no memory with body, which the caller may reuse at once.
func ParseRequest(body []byte, lim Limits) (Request, error) {
	return parseRequest(body, lim, false)
}

func parseRequest(body []byte, lim Limits, encoding bool) (Request, error) {
	d := decoder{lim: lim.withDefaults(), encoding: encoding}
	req, err := d.request(body)
	if err != nil {
		return Request{}, d.charsFirst(err)
	}
	return req, nil
}

// request is ParseRequest but for the order of errors (see charsFirst).
func (d *decoder) request(body []byte) (Request, error) {
	root, err := d.root(body, &litMethodCall)
	if err != nil {
		return Request{}, err
	}
	req, err := d.methodCall(root)
	if err != nil {
		return Request{}, err
	}
	req.TimeDigits = d.timeDigits
	return req, d.epilog()
}

// ParseResponse returns the value of a methodResponse; a <fault> response returns (nil, *abi.Fault).
// Any other error wraps one of the sentinels, as for ParseRequest, so a
// caller can tell a server's fault from a server's garbage.
func ParseResponse(body []byte, lim Limits) (any, error) {
	d := decoder{lim: lim.withDefaults()}
	v, fault, err := d.response(body)
	if err != nil {
		return nil, d.charsFirst(err)
	}
	if fault != nil {
		return nil, fault
	}
	return v, nil
}

// response is ParseResponse but for the order of errors.
func (d *decoder) response(body []byte) (any, *abi.Fault, error) {
	root, err := d.root(body, &litMethodResponse)
	if err != nil {
		return nil, nil, err
	}
	v, fault, err := d.methodResponse(root)
	if err != nil {
		return nil, nil, err
	}
	return v, fault, d.epilog()
}

// root reads up to and including the root element's start tag. want is
// that tag as clients write it, "<name>"; one with a prefix or attributes
// is read too.
func (d *decoder) root(body []byte, want *tagLit) (tag, error) {
	if err := d.open(body); err != nil {
		return tag{}, err
	}
	if err := d.misc(); err != nil {
		return tag{}, err
	}
	if d.pos >= len(d.buf) {
		return tag{}, d.errAt(d.pos, ErrNotWellFormed, "document has no root element")
	}
	if i, ok := d.literal(want); ok {
		return plainStartTag(i, want), nil
	}
	t, err := d.tag()
	if err != nil {
		return t, err
	}
	if t.isEnd() {
		return t, d.errAt(int(t.off), ErrNotWellFormed, "end tag </%s> has no start tag", d.qname(t))
	}
	if string(d.local(t)) != want.s[1:len(want.s)-1] {
		return t, d.errAt(int(t.off), ErrInvalidRequest, "root element is <%s>; want %s", d.qname(t), want.s)
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
func (d *decoder) next(parent tag) (tag, error) {
	b := d.buf
	if i := skipSpace(b, d.pos); i+1 < len(b) && b[i] == '<' && b[i+1] != '!' && b[i+1] != '?' {
		if b[i+1] == '/' && d.endTag(parent, i) {
			// What tag would return, without scanning the name again.
			start := int32(i) + 2 - parent.nameStart()
			return tag{off: int32(i), local: parent.local + start, nameEnd: parent.nameEnd + start, flags: endTag | closesParent}, nil
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

// child is next for where the grammar expects the start tag start or,
// unless end is nil, the end tag end of parent, written "<name>" and
// "</name>" as nearly every client writes them, and tries those first.
// end must spell parent's local name, which the caller has checked.
func (d *decoder) child(parent tag, start, end *tagLit) (tag, error) {
	// Without a prefix the qualified name is the checked local name, so
	// end is the end tag that matches.
	if parent.local != parent.off+1 {
		end = nil
	}
	switch i, found := d.literal2(start, end); found {
	case 1:
		return plainStartTag(i, start), nil
	case 2:
		return plainEndTag(i, end), nil
	}
	return d.next(parent)
}

// matchEnd checks that end closes open.
func (d *decoder) matchEnd(open, end tag) error {
	if end.flags&closesParent == 0 && !equalShort(d.qname(open), d.qname(end)) {
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
	t, err := d.next(open)
	if err != nil {
		return err
	}
	if !t.isEnd() {
		return d.errAt(int(t.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want </%s>", d.qname(t), d.qname(open), d.qname(open))
	}
	return d.matchEnd(open, t)
}

// closeAs is close for an element whose local name the caller has
// checked, with lit its end tag "</name>".
func (d *decoder) closeAs(open tag, lit *tagLit) error {
	// Without a prefix the qualified name is the checked local name, so
	// lit is the end tag that matches.
	if open.local == open.off+1 {
		if _, ok := d.literal(lit); ok {
			return nil
		}
	}
	return d.close(open)
}

// count counts one array element, struct member or param.
func (d *decoder) count(t tag) error {
	d.items++
	if d.items > d.lim.MaxItems {
		return d.errAt(int(t.off), ErrLimit, "document holds more than %d array elements, struct members and params (MaxItems)", d.lim.MaxItems)
	}
	return nil
}
