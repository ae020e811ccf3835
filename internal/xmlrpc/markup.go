package xmlrpc

import "bytes"

// comment skips the comment starting at i and returns the offset after it.
func (s *scanner) comment(i int) (int, error) {
	b := s.buf
	k := bytes.Index(b[i+4:], []byte("--"))
	if k < 0 {
		return 0, s.errAt(i, ErrNotWellFormed, "comment is not closed")
	}
	end := i + 4 + k
	if end+2 >= len(b) {
		return 0, s.errAt(i, ErrNotWellFormed, "comment is not closed")
	}
	if b[end+2] != '>' {
		return 0, s.errAt(end, ErrNotWellFormed, "\"--\" inside a comment")
	}
	return end + 3, s.checkSpan(i+4, end)
}

// pi skips the processing instruction starting at i. The XML declaration
// looks like one but is only allowed first, where prolog reads it.
func (s *scanner) pi(i int) (int, error) {
	b := s.buf
	n := nameLen(b[i+2:])
	if n == 0 {
		return 0, s.errAt(i, ErrNotWellFormed, "processing instruction has no target name")
	}
	if target := b[i+2 : i+2+n]; bytes.EqualFold(target, []byte("xml")) {
		return 0, s.errAt(i, ErrNotWellFormed, "XML declaration is allowed only at the very start of the document")
	}
	j := i + 2 + n
	if !hasPrefixAt(b, j, "?>") && (j >= len(b) || !isSpace(b[j])) {
		return 0, s.errAt(j, ErrNotWellFormed, "processing instruction target must be followed by a space or \"?>\"")
	}
	k := bytes.Index(b[j:], []byte("?>"))
	if k < 0 {
		return 0, s.errAt(i, ErrNotWellFormed, "processing instruction is not closed")
	}
	return j + k + 2, s.checkSpan(i+2, j+k)
}

// refuseDTD answers any markup declaration. Without a DTD there are no
// entity declarations to expand, so billion-laughs and external-entity
// attacks have nothing to work with.
func (s *scanner) refuseDTD(i int) error {
	end := min(i+20, len(s.buf))
	if k := bytes.IndexByte(s.buf[i:end], '>'); k >= 0 {
		end = i + k + 1
	}
	return s.errAt(i, ErrInvalidRequest, "DTDs and entity declarations are refused (found %s)", quote(s.buf[i:end]))
}

// misc skips what may surround the root element: white space, comments and
// processing instructions. It stops at a tag or the end of the document.
func (s *scanner) misc() error {
	b := s.buf
	for {
		i := skipSpace(b, s.pos)
		s.pos = i
		if i >= len(b) {
			return nil
		}
		if b[i] != '<' {
			return s.errAt(i, ErrNotWellFormed, "text %s outside the root element", quote(b[i:min(i+20, len(b))]))
		}
		if i+1 < len(b) && b[i+1] != '?' && b[i+1] != '!' {
			return nil // a tag
		}
		var err error
		switch {
		case hasPrefixAt(b, i, "<?"):
			s.pos, err = s.pi(i)
		case hasPrefixAt(b, i, "<!--"):
			s.pos, err = s.comment(i)
		case hasPrefixAt(b, i, "<![CDATA["):
			return s.errAt(i, ErrNotWellFormed, "CDATA section outside the root element")
		case hasPrefixAt(b, i, "<!"):
			return s.refuseDTD(i)
		default:
			return nil
		}
		if err != nil {
			return err
		}
	}
}
