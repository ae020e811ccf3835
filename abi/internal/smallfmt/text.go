package smallfmt

import (
	"strconv"
	"unicode/utf8"
)

// fmtBool formats a bool operand, as fmt's pp.fmtBool.
func (p *printer) fmtBool(v bool, verb rune, arg any) {
	switch verb {
	case 't', 'v':
		if v {
			p.padString("true")
		} else {
			p.padString("false")
		}
	default:
		p.badVerb(verb, arg)
	}
}

// fmtString formats a string operand, as fmt's pp.fmtString.
func (p *printer) fmtString(v string, verb rune, arg any) {
	switch verb {
	case 'v':
		if p.sharpV {
			p.fmtQ(v)
		} else {
			p.fmtS(v)
		}
	case 's':
		p.fmtS(v)
	case 'x':
		p.hexBytes(v, nil, ldigits)
	case 'X':
		p.hexBytes(v, nil, udigits)
	case 'q':
		p.fmtQ(v)
	default:
		p.badVerb(verb, arg)
	}
}

// fmtBytes formats a []byte operand, as fmt's pp.fmtBytes.
func (p *printer) fmtBytes(v []byte, verb rune, arg any) {
	switch verb {
	case 'v', 'd':
		if p.sharpV {
			p.goBytes(v)
			return
		}
		p.buf = append(p.buf, '[')
		for i, c := range v {
			if i > 0 {
				p.buf = append(p.buf, ' ')
			}
			p.integer(uint64(c), 10, unsigned, verb, ldigits)
		}
		p.buf = append(p.buf, ']')
	case 's':
		p.pad(truncate(v, p.spec))
	case 'x':
		p.hexBytes("", v, ldigits)
	case 'X':
		p.hexBytes("", v, udigits)
	case 'q':
		p.fmtQ(string(v))
	default:
		// Other verbs format the bytes one by one, as numbers.
		if p.sharpV { // fmt writes []uint8{...} then
			p.unsupported(verb, arg)
			return
		}
		p.buf = append(p.buf, '[')
		for i, c := range v {
			if i > 0 {
				p.buf = append(p.buf, ' ')
			}
			p.fmtInteger(uint64(c), unsigned, verb, c)
		}
		p.buf = append(p.buf, ']')
	}
}

// goBytes writes v in Go syntax, as %#v does: []byte{0x1, 0x2}.
func (p *printer) goBytes(v []byte) {
	p.buf = append(p.buf, "[]byte"...)
	if v == nil {
		p.buf = append(p.buf, "(nil)"...)
		return
	}
	p.buf = append(p.buf, '{')
	sharp := p.sharp
	p.sharp = true
	for i, c := range v {
		if i > 0 {
			p.buf = append(p.buf, ", "...)
		}
		p.integer(uint64(c), 16, unsigned, 'v', ldigits)
	}
	p.sharp = sharp
	p.buf = append(p.buf, '}')
}

// fmtS writes s cut to the precision and padded to the width.
func (p *printer) fmtS(s string) {
	p.padString(truncateString(s, p.spec))
}

// fmtQ writes s as a quoted Go string: backquoted with # when it can be,
// ASCII-only with +.
func (p *printer) fmtQ(s string) {
	s = truncateString(s, p.spec)
	switch {
	case p.sharp && strconv.CanBackquote(s):
		p.padString("`" + s + "`")
	case p.plus:
		p.pad(strconv.AppendQuoteToASCII(nil, s))
	default:
		p.pad(strconv.AppendQuote(nil, s))
	}
}

// hexBytes writes the bytes of s, or of b when it is not nil, as hex
// digits: # adds 0x, space separates the bytes (each with its 0x when #
// is set too). The precision counts bytes.
func (p *printer) hexBytes(s string, b []byte, digits string) {
	length := len(b)
	if b == nil {
		length = len(s)
	}
	if p.precPresent && p.prec < length {
		length = p.prec
	}
	if length == 0 {
		if p.widPresent {
			p.writePadding(p.wid)
		}
		return
	}
	width := 2 * length
	if p.space {
		if p.sharp {
			width *= 2
		}
		width += length - 1
	} else if p.sharp {
		width += 2
	}
	if p.widPresent && p.wid > width && !p.minus {
		p.writePadding(p.wid - width)
	}
	if p.sharp {
		p.buf = append(p.buf, '0', digits[16])
	}
	for i := 0; i < length; i++ {
		if p.space && i > 0 {
			p.buf = append(p.buf, ' ')
			if p.sharp {
				p.buf = append(p.buf, '0', digits[16])
			}
		}
		var c byte
		if b != nil {
			c = b[i]
		} else {
			c = s[i]
		}
		p.buf = append(p.buf, digits[c>>4], digits[c&0xF])
	}
	if p.widPresent && p.wid > width && p.minus {
		p.writePadding(p.wid - width)
	}
}

// truncateString cuts s to the precision, counted in runes.
func truncateString(s string, sp spec) string {
	if sp.precPresent {
		n := sp.prec
		for i := range s {
			n--
			if n < 0 {
				return s[:i]
			}
		}
	}
	return s
}

// truncate is truncateString for bytes.
func truncate(b []byte, sp spec) []byte {
	if sp.precPresent {
		n := sp.prec
		for i := 0; i < len(b); {
			n--
			if n < 0 {
				return b[:i]
			}
			_, size := utf8.DecodeRune(b[i:])
			i += size
		}
	}
	return b
}

// writePadding writes n padding bytes: zeros with the 0 flag (left only),
// spaces otherwise.
func (p *printer) writePadding(n int) {
	pad := byte(' ')
	if p.zero && !p.minus {
		pad = '0'
	}
	for ; n > 0; n-- {
		p.buf = append(p.buf, pad)
	}
}

// pad writes b padded to the width, counted in runes: on the left, or on
// the right with the - flag.
func (p *printer) pad(b []byte) {
	if !p.widPresent || p.wid == 0 {
		p.buf = append(p.buf, b...)
		return
	}
	width := p.wid - utf8.RuneCount(b)
	if p.minus {
		p.buf = append(p.buf, b...)
		p.writePadding(width)
	} else {
		p.writePadding(width)
		p.buf = append(p.buf, b...)
	}
}

// padString is pad for a string.
func (p *printer) padString(s string) {
	if !p.widPresent || p.wid == 0 {
		p.buf = append(p.buf, s...)
		return
	}
	width := p.wid - utf8.RuneCountInString(s)
	if p.minus {
		p.buf = append(p.buf, s...)
		p.writePadding(width)
	} else {
		p.writePadding(width)
		p.buf = append(p.buf, s...)
	}
}
