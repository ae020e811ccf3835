package xmlrpc

// Checking every character of a UTF-8 document in a pass of its own, before
// reading it, took a sixth of the time of reading a small request, mostly
// to look at markup and white space that the scanner matches anyway. So
// open leaves it to the scanner, which checks what it passes where it
// does not know the bytes already: text, comments, processing
// instructions, attributes and names that are not ASCII. A document read
// to the end has then had every character checked. One that fails earlier
// may hold a bad character further on, and a document with any bad
// character has always failed for that first, wherever it is; charsFirst
// keeps it so.

// charsFirst returns the error for the first character of the document
// that XML does not allow, if there is one that open left unchecked, or
// else err, the reason the parse stopped.
func (s *scanner) charsFirst(err error) error {
	if s.lazyChars {
		if i := checkChars(s.buf, s.bodyStart, false); i >= 0 {
			return s.charError(i)
		}
	}
	return err
}

// checkSpan checks the characters of buf[i:j].
func (s *scanner) checkSpan(i, j int) error {
	if k := checkChars(s.buf[:j], i, false); k >= 0 {
		return s.charError(k)
	}
	return nil
}

// charError reports the bad character at buf[i] of a UTF-8 document.
func (s *scanner) charError(i int) error {
	return s.errAt(i, ErrInvalidCharacter, "%s", describeBadChar(s.buf, i, false))
}
