package xmlrpc

import (
	"bytes"
	"unicode/utf8"
)

const (
	textStop  = 1 + iota // ends the plain run of a text node
	textCheck            // a control character or part of a multi-byte one, to be checked
)

// textClass classifies bytes in text; the plain ones are 0.
var textClass = func() (t [256]uint8) {
	for c := range 256 {
		if c < 0x20 && c != '\t' && c != '\n' || c >= 0x80 {
			t[c] = textCheck
		}
	}
	for _, c := range "<&]\r" {
		t[c] = textStop
	}
	return t
}()

// skipText returns the offset of the first byte from i on that ends a
// plain run of text ('<', '&', ']' or '\r'), or len(s.buf), checking the
// characters it passes.
func (s *scanner) skipText(i int) (int, error) {
	b := s.buf
	for {
		for i < len(b) && textClass[b[i]] == 0 {
			i++
		}
		if i >= len(b) || textClass[b[i]] == textStop {
			return i, nil
		}
		n := charLen(b, i, false)
		if n == 0 {
			return i, s.charError(i)
		}
		i += n
	}
}

// content reads character data up to the next start or end tag, leaving
// s.pos at its '<'. Text with no references, CDATA, comments or carriage
// returns (nearly all of it) comes back as a slice of the document; other
// text is decoded into s.scratch, valid until the next call. in is the
// open element, for messages.
func (s *scanner) content(in tag) ([]byte, error) {
	b := s.buf
	start := s.pos
	i := start
	for i < len(b) && textClass[b[i]] == 0 {
		i++
	}
	if i < len(b) && textClass[b[i]] == textCheck {
		var err error
		if i, err = s.skipText(i); err != nil {
			return nil, err
		}
	}
	if i+1 < len(b) && b[i] == '<' && b[i+1] != '!' && b[i+1] != '?' {
		s.pos = i
		return b[start:i], nil
	}
	return s.contentSlow(in, start, i)
}

func (s *scanner) contentSlow(in tag, start, i int) ([]byte, error) {
	b := s.buf
	out := append(s.scratch[:0], b[start:i]...)
	defer func() { s.scratch = out }()
	for {
		if i >= len(b) {
			return nil, s.errAt(len(b), ErrNotWellFormed, "document ends inside <%s>", s.qname(in))
		}
		switch b[i] {
		case '<':
			if i+1 >= len(b) {
				return nil, s.errAt(i, ErrNotWellFormed, "document ends inside a tag")
			}
			var err error
			switch {
			case b[i+1] == '?':
				i, err = s.pi(i)
			case hasPrefixAt(b, i, "<!--"):
				i, err = s.comment(i)
			case hasPrefixAt(b, i, "<![CDATA["):
				end := bytes.Index(b[i+9:], []byte("]]>"))
				if end < 0 {
					return nil, s.errAt(i, ErrNotWellFormed, "CDATA section in <%s> is not closed", s.qname(in))
				}
				if err := s.checkSpan(i+9, i+9+end); err != nil {
					return nil, err
				}
				out = appendNewlines(out, b[i+9:i+9+end])
				i += 9 + end + 3
			case b[i+1] == '!':
				return nil, s.refuseDTD(i)
			default:
				s.pos = i
				return out, nil
			}
			if err != nil {
				return nil, err
			}
		case '&':
			r, next, err := s.ref(i)
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
			i = next
		case '\r':
			// XML reads every line break as "\n"; a client that means
			// a carriage return writes &#13;.
			out = append(out, '\n')
			i++
			if i < len(b) && b[i] == '\n' {
				i++
			}
		case ']':
			if hasPrefixAt(b, i, "]]>") {
				return nil, s.errAt(i, ErrNotWellFormed, "\"]]>\" is not allowed in text (write ]]&gt;)")
			}
			out = append(out, ']')
			i++
		}
		j, err := s.skipText(i)
		if err != nil {
			return nil, err
		}
		out = append(out, b[i:j]...)
		i = j
	}
}

// appendNewlines appends CDATA content with line breaks normalized.
func appendNewlines(out, b []byte) []byte {
	for {
		k := bytes.IndexByte(b, '\r')
		if k < 0 {
			return append(out, b...)
		}
		out = append(out, b[:k]...)
		out = append(out, '\n')
		b = b[k+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}
