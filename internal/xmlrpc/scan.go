package xmlrpc

import "bytes"

// scanner is the tokenizer: it walks a document that open has turned into
// UTF-8, handing out tags and text as offsets into and slices of the
// document, so that reading markup allocates nothing. It checks that each
// character it passes is one XML allows (see charsFirst).
type scanner struct {
	buf     []byte
	pos     int
	origin  int    // where the document starts after a byte order mark; columns count from here
	scratch []byte // decoded text, for the rare text that is not a plain slice of buf
	// lazyChars says that open left checking the characters from
	// bodyStart on to the scanner (see charsFirst).
	lazyChars bool
	bodyStart int
}

// tag is a start or end tag, as offsets into the document. It is passed
// and returned on every step of the parse, so it is kept to four small
// fields: the compiler then keeps it in registers instead of copying it
// through memory.
type tag struct {
	off     int32 // offset of '<'; the name follows "<" or "</"
	local   int32 // the local name, which XML-RPC elements are matched by, is buf[local:nameEnd]
	nameEnd int32
	flags   uint8
}

const (
	endTag      = 1 << iota // </name>; must be 1, see nameStart
	selfClosing             // <name/>
	// closesParent marks an end tag that next has already found to match
	// the parent it was given, which is what its caller then passes to
	// matchEnd.
	closesParent
)

func (t tag) isEnd() bool { return t.flags&endTag != 0 }
func (t tag) empty() bool { return t.flags&selfClosing != 0 }

// nameStart is where the qualified name begins, which an end tag must
// repeat exactly.
func (t tag) nameStart() int32 { return t.off + 1 + int32(t.flags&endTag) }

// qname returns the qualified name of t.
func (s *scanner) qname(t tag) []byte { return s.buf[t.nameStart():t.nameEnd] }

// local returns t's name without its prefix: type tags are matched by
// local name so that Apache's <ex:i8> and <ex:nil/> read like <i8> and
// <nil/>.
func (s *scanner) local(t tag) []byte { return s.buf[t.local:t.nameEnd] }

// is reports whether t's local name is local.
func (s *scanner) is(t tag, local string) bool { return string(s.buf[t.local:t.nameEnd]) == local }

// maxDocument keeps offsets within int32.
const maxDocument = 1<<31 - 1

func (s *scanner) errAt(off int, kind error, format string, args ...any) error {
	return errAt(s.buf, s.origin, off, kind, format, args...)
}

// isSpace tests a bit of a mask rather than comparing four times: it runs
// before nearly every tag.
func isSpace(c byte) bool {
	return c <= ' ' && uint64(1)<<c&(1<<' '|1<<'\t'|1<<'\n'|1<<'\r') != 0
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func allSpace(b []byte) bool {
	return skipSpace(b, 0) == len(b)
}

func hasPrefixAt(b []byte, i int, prefix string) bool {
	return i <= len(b) && len(b)-i >= len(prefix) && string(b[i:i+len(prefix)]) == prefix
}

const (
	nameStart    = 1 << iota // may start an XML name
	nameChar                 // may continue one
	nameNonASCII             // is part of a multi-byte character, which must be checked
)

// nameClass classifies bytes for names. Bytes of multi-byte characters are
// all accepted, once checked to be valid UTF-8: being exact about which
// letters XML allows in names buys nothing for XML-RPC.
var nameClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 0x80:
			t[c] = nameStart | nameChar | nameNonASCII
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':':
			t[c] = nameStart | nameChar
		case c >= '0' && c <= '9', c == '-', c == '.':
			t[c] = nameChar
		}
	}
	return t
}()

// nameLen returns the length of the XML name at the start of b, or 0.
func nameLen(b []byte) int {
	if len(b) == 0 || nameClass[b[0]]&nameStart == 0 {
		return 0
	}
	n := 1
	for n < len(b) && nameClass[b[n]]&nameChar != 0 {
		n++
	}
	return n
}

// tag reads the start or end tag at s.pos, which holds '<'. Attributes are
// checked for well-formedness and dropped: XML-RPC defines none, and
// clients send namespace declarations that mean nothing here.
func (s *scanner) tag() (tag, error) {
	b := s.buf
	t := tag{off: int32(s.pos)}
	i := s.pos + 1
	if i < len(b) && b[i] == '/' {
		t.flags = endTag
		i++
	}
	if i >= len(b) || nameClass[b[i]]&nameStart == 0 {
		if i >= len(b) {
			return t, s.errAt(s.pos, ErrNotWellFormed, "document ends inside a tag")
		}
		return t, s.errAt(s.pos, ErrNotWellFormed, "'<' is not followed by an element name (write &lt; for a literal '<')")
	}
	t.local = int32(i)
	class := nameClass[b[i]]
	for i++; i < len(b) && nameClass[b[i]]&nameChar != 0; i++ {
		class |= nameClass[b[i]]
		if b[i] == ':' {
			t.local = int32(i + 1)
		}
	}
	t.nameEnd = int32(i)
	if class&nameNonASCII != 0 {
		if err := s.checkSpan(int(t.nameStart()), i); err != nil {
			return t, err
		}
	}
	if i < len(b) && b[i] == '>' {
		s.pos = i + 1
		return t, nil
	}
	return s.tagRest(t, i)
}

// tagRest reads what follows the name in a tag: white space, attributes,
// "/>".
func (s *scanner) tagRest(t tag, i int) (tag, error) {
	b := s.buf
	if t.isEnd() {
		i = skipSpace(b, i)
		if i >= len(b) {
			return t, s.errAt(int(t.off), ErrNotWellFormed, "document ends inside end tag </%s>", s.qname(t))
		}
		if b[i] != '>' {
			return t, s.errAt(i, ErrNotWellFormed, "unexpected %s in end tag </%s>", quote(b[i:i+1]), s.qname(t))
		}
		s.pos = i + 1
		return t, nil
	}
	for {
		j := skipSpace(b, i)
		if j >= len(b) {
			return t, s.errAt(int(t.off), ErrNotWellFormed, "document ends inside start tag <%s>", s.qname(t))
		}
		switch b[j] {
		case '>':
			s.pos = j + 1
			return t, s.checkSpan(int(t.nameEnd), j) // attributes
		case '/':
			if j+1 < len(b) && b[j+1] == '>' {
				t.flags = selfClosing
				s.pos = j + 2
				return t, s.checkSpan(int(t.nameEnd), j)
			}
		}
		if j == i {
			return t, s.errAt(j, ErrNotWellFormed, "unexpected %s in start tag <%s>", quote(b[j:j+1]), s.qname(t))
		}
		var err error
		if i, err = s.attribute(t, j); err != nil {
			return t, err
		}
	}
}

// endTag consumes the end tag of open at offset i, if it is there in its
// usual form "</name>", and reports whether it did. It is the fast path
// for the end tags the grammar expects.
func (s *scanner) endTag(open tag, i int) bool {
	start := int(open.nameStart())
	n := int(open.nameEnd) - start
	b := s.buf
	if len(b)-i < n+3 || b[i] != '<' || b[i+1] != '/' || b[i+2+n] != '>' {
		return false
	}
	if !equalShort(b[i+2:i+2+n], b[start:open.nameEnd]) {
		return false
	}
	s.pos = i + n + 3
	return true
}

// attribute checks the attribute at i and returns the offset after it.
func (s *scanner) attribute(t tag, i int) (int, error) {
	b := s.buf
	n := nameLen(b[i:])
	if n == 0 {
		return 0, s.errAt(i, ErrNotWellFormed, "unexpected %s in start tag <%s>", quote(b[i:i+1]), s.qname(t))
	}
	attr, name := b[i:i+n], s.qname(t)
	i = skipSpace(b, i+n)
	if i >= len(b) || b[i] != '=' {
		return 0, s.errAt(i, ErrNotWellFormed, "attribute %s of <%s> has no '=' and value", attr, name)
	}
	i = skipSpace(b, i+1)
	if i >= len(b) || (b[i] != '"' && b[i] != '\'') {
		return 0, s.errAt(i, ErrNotWellFormed, "value of attribute %s of <%s> is not quoted", attr, name)
	}
	q := b[i]
	k := bytes.IndexByte(b[i+1:], q)
	if k < 0 {
		return 0, s.errAt(i, ErrNotWellFormed, "value of attribute %s of <%s> is not closed", attr, name)
	}
	start, end := i+1, i+1+k
	for j := start; j < end; j++ {
		switch b[j] {
		case '<':
			return 0, s.errAt(j, ErrNotWellFormed, "'<' in the value of attribute %s of <%s>", attr, name)
		case '&':
			if _, _, err := s.ref(j); err != nil {
				return 0, err
			}
		}
	}
	return end + 1, nil
}
