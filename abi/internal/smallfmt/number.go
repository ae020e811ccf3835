package smallfmt

import (
	"strconv"
	"unicode/utf8"
)

const (
	ldigits = "0123456789abcdefx"
	udigits = "0123456789ABCDEFX"

	signed   = true
	unsigned = false
)

// fmtInteger formats an integer operand for verb, as fmt's pp.fmtInteger.
func (p *printer) fmtInteger(v uint64, isSigned bool, verb rune, arg any) {
	switch verb {
	case 'v':
		if p.sharpV && !isSigned { // Go syntax: 0x hex
			sharp := p.sharp
			p.sharp = true
			p.integer(v, 16, unsigned, verb, ldigits)
			p.sharp = sharp
		} else {
			p.integer(v, 10, isSigned, verb, ldigits)
		}
	case 'd':
		p.integer(v, 10, isSigned, verb, ldigits)
	case 'b':
		p.integer(v, 2, isSigned, verb, ldigits)
	case 'o', 'O':
		p.integer(v, 8, isSigned, verb, ldigits)
	case 'x':
		p.integer(v, 16, isSigned, verb, ldigits)
	case 'X':
		p.integer(v, 16, isSigned, verb, udigits)
	case 'c':
		p.pad(utf8.AppendRune(nil, toRune(v)))
	case 'q':
		if p.plus {
			p.pad(strconv.AppendQuoteRuneToASCII(nil, toRune(v)))
		} else {
			p.pad(strconv.AppendQuoteRune(nil, toRune(v)))
		}
	case 'U':
		p.unicode(v)
	default:
		p.badVerb(verb, arg)
	}
}

// toRune converts c to a rune, U+FFFD when it is beyond Unicode.
func toRune(c uint64) rune {
	if c > utf8.MaxRune {
		return utf8.RuneError
	}
	return rune(c)
}

// integer writes u in base with sign, prefixes, precision and padding.
func (p *printer) integer(u uint64, base int, isSigned bool, verb rune, digits string) {
	negative := isSigned && int64(u) < 0
	if negative {
		u = -u
	}
	// Leading zeros come from a precision (%.3d) or, without one, from
	// the 0 flag with a width (%03d); a precision turns the flag off.
	prec := 0
	if p.precPresent {
		prec = p.prec
		if prec == 0 && u == 0 { // "%.0d" of 0 prints nothing but padding
			zero := p.zero
			p.zero = false
			p.writePadding(p.wid)
			p.zero = zero
			return
		}
	} else if p.zero && !p.minus && p.widPresent {
		prec = p.wid
		if negative || p.plus || p.space {
			prec-- // room for the sign
		}
	}

	buf := make([]byte, 68+p.wid+p.prec)
	i := len(buf)
	for u >= uint64(base) {
		i--
		buf[i] = digits[u%uint64(base)]
		u /= uint64(base)
	}
	i--
	buf[i] = digits[u]
	for i > 0 && prec > len(buf)-i {
		i--
		buf[i] = '0'
	}
	if p.sharp {
		switch base {
		case 2:
			i -= 2
			buf[i], buf[i+1] = '0', 'b'
		case 8:
			if buf[i] != '0' {
				i--
				buf[i] = '0'
			}
		case 16:
			i -= 2
			buf[i], buf[i+1] = '0', digits[16]
		}
	}
	if verb == 'O' {
		i -= 2
		buf[i], buf[i+1] = '0', 'o'
	}
	switch {
	case negative:
		i--
		buf[i] = '-'
	case p.plus:
		i--
		buf[i] = '+'
	case p.space:
		i--
		buf[i] = ' '
	}
	// Zeros were added above as precision; padding is spaces.
	zero := p.zero
	p.zero = false
	p.pad(buf[i:])
	p.zero = zero
}

// unicode writes u as "U+0078", with # as "U+0078 'x'".
func (p *printer) unicode(u uint64) {
	prec := 4
	if p.precPresent && p.prec > 4 {
		prec = p.prec
	}
	hex := strconv.AppendUint(nil, u, 16)
	b := make([]byte, 0, 2+max(prec, len(hex))+8)
	b = append(b, "U+"...)
	for n := len(hex); n < prec; n++ {
		b = append(b, '0')
	}
	for _, c := range hex {
		if c >= 'a' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	if p.sharp && u <= utf8.MaxRune && strconv.IsPrint(rune(u)) {
		b = append(b, " '"...)
		b = utf8.AppendRune(b, rune(u))
		b = append(b, '\'')
	}
	zero := p.zero
	p.zero = false
	p.pad(b)
	p.zero = zero
}

// fmtFloat formats a float operand for verb, as fmt's pp.fmtFloat. The #
// flag (which keeps a float's decimal point and zeros) is not supported.
func (p *printer) fmtFloat(v float64, size int, verb rune, arg any) {
	prec := -1
	switch verb {
	case 'v':
		verb = 'g'
	case 'b', 'g', 'G', 'x', 'X':
	case 'f', 'e', 'E':
		prec = 6
	case 'F':
		verb, prec = 'f', 6
	default:
		p.badVerb(verb, arg)
		return
	}
	if p.sharp && verb != 'b' {
		p.unsupported(verb, arg)
		return
	}
	if p.precPresent {
		prec = p.prec
	}
	// num[0] is the sign, '+' when the number has none.
	num := strconv.AppendFloat([]byte{0}, v, byte(verb), prec, size)
	if num[1] == '-' || num[1] == '+' {
		num = num[1:]
	} else {
		num[0] = '+'
	}
	if p.space && num[0] == '+' && !p.plus {
		num[0] = ' '
	}
	// Infinities and NaN are not numbers to pad with zeros.
	if num[1] == 'I' || num[1] == 'N' {
		zero := p.zero
		p.zero = false
		if num[1] == 'N' && !p.space && !p.plus {
			num = num[1:]
		}
		p.pad(num)
		p.zero = zero
		return
	}
	if p.plus || num[0] != '+' {
		// With zero padding the sign goes before the zeros.
		if p.zero && !p.minus && p.widPresent && p.wid > len(num) {
			p.buf = append(p.buf, num[0])
			p.writePadding(p.wid - len(num))
			p.buf = append(p.buf, num[1:]...)
			return
		}
		p.pad(num)
		return
	}
	p.pad(num[1:])
}

// fmtComplex formats a complex operand as (r+ji), as fmt's pp.fmtComplex.
func (p *printer) fmtComplex(v complex128, size int, verb rune, arg any) {
	switch verb {
	case 'v', 'b', 'g', 'G', 'x', 'X', 'f', 'F', 'e', 'E':
	default:
		p.badVerb(verb, arg)
		return
	}
	if p.sharp && verb != 'b' {
		p.unsupported(verb, arg)
		return
	}
	plus := p.plus
	p.buf = append(p.buf, '(')
	p.fmtFloat(real(v), size/2, verb, arg)
	p.plus = true // the imaginary part always has a sign
	p.fmtFloat(imag(v), size/2, verb, arg)
	p.buf = append(p.buf, "i)"...)
	p.plus = plus
}
