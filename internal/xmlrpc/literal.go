package xmlrpc

// literal skips white space and then lit, a tag written out ("<value>",
// "</param>"), if it follows; it returns the offset after the white space
// and whether lit was there. The grammar nearly always knows which tag
// comes next, and comparing it whole, as two words that overlap in the
// middle, is much cheaper than reading it. That compare covers 4 to 16
// bytes: any other lit is never found, which leaves the tag to be read.
// literal calls nothing, so that its callers need not save their
// registers around a call on the path nearly every document takes.
func (s *scanner) literal(lit string) (int, bool) {
	b := s.buf
	i := skipSpace(b, s.pos)
	n := len(lit)
	if n < 4 || n > 16 || i > len(b)-n {
		return i, false
	}
	if n >= 8 {
		if load64(b, i) != load64(lit, 0) || load64(b, i+n-8) != load64(lit, n-8) {
			return i, false
		}
	} else if load32(b, i) != load32(lit, 0) || load32(b, i+n-4) != load32(lit, n-4) {
		return i, false
	}
	s.pos = i + n
	return i, true
}

// plainStartTag is the tag of lit, a start tag "<name>" that literal found
// at offset i.
func plainStartTag(i int, lit string) tag {
	return tag{off: int32(i), local: int32(i + 1), nameEnd: int32(i + len(lit) - 1)}
}
