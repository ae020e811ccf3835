package xmlrpc

// ref decodes the entity or character reference starting at b[i] == '&'
// and returns the character and the offset after the ';'. Only the five
// predefined entities exist: the decoder refuses DTDs, so nothing can
// declare more.
func (s *scanner) ref(i int) (rune, int, error) {
	b := s.buf
	j := i + 1
	if j < len(b) && b[j] == '#' {
		return s.charRef(i)
	}
	n := nameLen(b[j:])
	if n == 0 || j+n >= len(b) || b[j+n] != ';' {
		return 0, 0, s.errAt(i, ErrNotWellFormed, "'&' does not start a reference (write &amp; for a literal '&')")
	}
	var r rune
	switch string(b[j : j+n]) {
	case "lt":
		r = '<'
	case "gt":
		r = '>'
	case "amp":
		r = '&'
	case "apos":
		r = '\''
	case "quot":
		r = '"'
	default:
		return 0, 0, s.errAt(i, ErrNotWellFormed, "undefined entity &%s; (only lt, gt, amp, apos and quot exist)", b[j:j+n])
	}
	return r, j + n + 1, nil
}

// charRef decodes &#NNN; or &#xHHH;.
func (s *scanner) charRef(i int) (rune, int, error) {
	b := s.buf
	j := i + 2
	hex := j < len(b) && b[j] == 'x'
	if hex {
		j++
	}
	start := j
	var v int64
	for ; j < len(b); j++ {
		c := b[j]
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case hex && c >= 'a' && c <= 'f':
			d = int64(c-'a') + 10
		case hex && c >= 'A' && c <= 'F':
			d = int64(c-'A') + 10
		default:
			goto done
		}
		if hex {
			v = v*16 + d
		} else {
			v = v*10 + d
		}
		if v > 0x10FFFF {
			v = 0x110000 // stays out of range however many digits follow
		}
	}
done:
	if j == start || j >= len(b) || b[j] != ';' {
		return 0, 0, s.errAt(i, ErrNotWellFormed, "malformed character reference %s", quote(b[i:min(j+1, len(b))]))
	}
	if !isXMLChar(rune(v)) {
		return 0, 0, s.errAt(i, ErrInvalidCharacter, "character reference %s is to a character XML 1.0 does not allow", b[i:j+1])
	}
	return rune(v), j + 1, nil
}

// isXMLChar reports whether XML 1.0 allows r in a document.
func isXMLChar(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r == '\t', r == '\n', r == '\r':
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	default:
		return r >= 0x10000 && r <= 0x10FFFF
	}
}
