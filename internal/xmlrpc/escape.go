package xmlrpc

import "unicode/utf8"

// escapeClass marks the ASCII bytes that text cannot carry as is: markup
// characters, and the carriage return, which XML would read back as a
// line feed. 2 marks control characters XML 1.0 cannot carry at all.
var escapeClass = func() (t [utf8.RuneSelf]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = 2
	}
	t['\t'], t['\n'] = 0, 0
	t['\r'], t['&'], t['<'], t['>'] = 1, 1, 1, 1
	return t
}()

// appendText appends s escaped as XML character data. A character XML
// 1.0 cannot carry (a control character, invalid UTF-8, U+FFFE, U+FFFF)
// makes it return the offset of that character in s, unless sanitize is
// set, in which case the character becomes U+FFFD. bad is -1 otherwise.
func appendText(dst []byte, s string, sanitize bool) (out []byte, bad int) {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch escapeClass[c] {
			case 0:
				i++
				continue
			case 1:
				dst = append(dst, s[start:i]...)
				switch c {
				case '&':
					dst = append(dst, "&amp;"...)
				case '<':
					dst = append(dst, "&lt;"...)
				case '>':
					dst = append(dst, "&gt;"...)
				case '\r':
					dst = append(dst, "&#13;"...)
				}
				i++
				start = i
				continue
			}
			if !sanitize {
				return dst, i
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || !isXMLChar(r) {
			if !sanitize {
				return dst, i
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			start = i + n
		}
		i += n
	}
	return append(dst, s[start:]...), -1
}
