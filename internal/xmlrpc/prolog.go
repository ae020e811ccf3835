package xmlrpc

import "bytes"

// open prepares body for scanning: it reads the byte order mark and the XML
// declaration, transcodes or checks the declared encoding, and checks the
// characters or leaves that to the scanner, leaving s.pos after the
// declaration.
func (s *scanner) open(body []byte) error {
	s.buf = body
	if len(body) > maxDocument {
		return &parseError{kind: ErrLimit, line: 1, col: 1, msg: "document is larger than 2 GiB"}
	}
	if hasPrefixAt(body, 0, "\xFE\xFF") || hasPrefixAt(body, 0, "\xFF\xFE") {
		return &parseError{kind: ErrUnsupportedEncoding, line: 1, col: 1,
			msg: "document is UTF-16 (it starts with a UTF-16 byte order mark); send UTF-8"}
	}
	bom := hasPrefixAt(body, 0, "\xEF\xBB\xBF")
	if bom {
		s.origin = 3
		s.pos = 3
	}
	cs := csUTF8
	if n := commonDeclaration(body[s.pos:]); n > 0 {
		// It is ASCII and declares UTF-8 or nothing; what declaration
		// would find out about it is known.
		s.pos += n
	} else if hasPrefixAt(body, s.pos, "<?xml") && s.pos+5 < len(body) && isSpace(body[s.pos+5]) {
		enc, err := s.declaration()
		if err != nil {
			return err
		}
		if enc != nil {
			var ok bool
			if cs, ok = lookupCharset(enc); !ok {
				return s.errAt(s.origin, ErrUnsupportedEncoding,
					"encoding %s is not supported (use UTF-8; US-ASCII and ISO-8859-1 are also read)", quote(enc))
			}
			if bom && cs != csUTF8 {
				return s.errAt(s.origin, ErrUnsupportedEncoding,
					"document declares encoding %s but starts with a UTF-8 byte order mark", quote(enc))
			}
		}
		// The declaration must be ASCII: it was read before the encoding
		// was known, and transcoding must not move what follows it.
		if i := checkChars(body[:s.pos], s.origin, true); i >= 0 {
			return s.errAt(i, ErrInvalidCharacter, "XML declaration holds byte %s; it must be ASCII", hexByte(body[i]))
		}
	}
	if cs == csLatin1 {
		// The declaration is ASCII, so offsets up to s.pos stay valid.
		if s.buf = latin1ToUTF8(body); len(s.buf) > maxDocument {
			return &parseError{kind: ErrLimit, line: 1, col: 1, msg: "document is larger than 2 GiB in UTF-8"}
		}
	}
	if cs == csUTF8 {
		s.lazyChars, s.bodyStart = true, s.pos
		return nil
	}
	// The scanner's checks know only UTF-8: a US-ASCII document must fail
	// at its first non-ASCII byte, and ISO-8859-1 is too rare to matter.
	if i := checkChars(s.buf, s.pos, cs == csASCII); i >= 0 {
		return s.errAt(i, ErrInvalidCharacter, "%s", describeBadChar(s.buf, i, cs == csASCII))
	}
	return nil
}

// commonDeclaration returns the length of the XML declaration at the
// start of b if it is one of the few that nearly every client writes, or
// 0. Recognizing those whole is much cheaper than reading them.
func commonDeclaration(b []byte) int {
	for _, d := range [...]string{
		`<?xml version='1.0'?>`,                  // Python
		`<?xml version="1.0"?>`,                  // ours, Node
		`<?xml version="1.0" encoding="UTF-8"?>`, // Go, Java, C
	} {
		if hasPrefixAt(b, 0, d) {
			return len(d)
		}
	}
	return 0
}

// declaration reads <?xml version="1.0" encoding="..." standalone="..."?>
// at s.pos and returns the encoding name, or nil when none is declared.
func (s *scanner) declaration() (enc []byte, err error) {
	b := s.buf
	start := s.pos
	i := start + len("<?xml")
	seen := 0 // pseudo-attributes must come in this order: version, encoding, standalone
	for {
		j := skipSpace(b, i)
		if hasPrefixAt(b, j, "?>") {
			if seen == 0 {
				return nil, s.errAt(start, ErrNotWellFormed, "XML declaration has no version")
			}
			s.pos = j + 2
			return enc, nil
		}
		if j >= len(b) {
			return nil, s.errAt(start, ErrNotWellFormed, "XML declaration is not closed")
		}
		if j == i {
			return nil, s.errAt(j, ErrNotWellFormed, "malformed XML declaration")
		}
		n := nameLen(b[j:])
		name := b[j : j+n]
		k := skipSpace(b, j+n)
		if n == 0 || k >= len(b) || b[k] != '=' {
			return nil, s.errAt(j, ErrNotWellFormed, "malformed XML declaration")
		}
		k = skipSpace(b, k+1)
		if k >= len(b) || (b[k] != '"' && b[k] != '\'') {
			return nil, s.errAt(k, ErrNotWellFormed, "value of %s in the XML declaration is not quoted", name)
		}
		end := bytes.IndexByte(b[k+1:], b[k])
		if end < 0 {
			return nil, s.errAt(k, ErrNotWellFormed, "value of %s in the XML declaration is not closed", name)
		}
		value := b[k+1 : k+1+end]
		i = k + 1 + end + 1
		order := 0
		switch string(name) {
		case "version":
			order = 1
			if !bytes.HasPrefix(value, []byte("1.")) || len(value) == 2 {
				return nil, s.errAt(j, ErrNotWellFormed, "XML version %s is not supported (want 1.0)", quote(value))
			}
		case "encoding":
			order = 2
			enc = value
		case "standalone":
			order = 3
		default:
			return nil, s.errAt(j, ErrNotWellFormed, "unknown %s in the XML declaration", name)
		}
		if order <= seen || (seen == 0 && order != 1) {
			return nil, s.errAt(j, ErrNotWellFormed, "XML declaration must list version, encoding and standalone in that order, each once")
		}
		seen = order
	}
}
