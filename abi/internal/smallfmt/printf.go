package smallfmt

import (
	"reflect"
	"unicode/utf8"
)

// Sprintf formats like fmt.Sprintf (see the package documentation for what
// is supported).
func Sprintf(format string, args ...any) string {
	s, _ := sprintf(format, args)
	return s
}

// sprintf formats and reports whether the result is exactly fmt's, which
// is false when something unsupported was met. The tests use it to compare
// against fmt wherever the package claims to agree.
func sprintf(format string, args []any) (string, bool) {
	var p printer
	p.printf(format, args)
	return string(p.buf), !p.inexact
}

// TypeName returns the Go type of v as %T prints it ("<nil>" for nil).
func TypeName(v any) string {
	if v == nil {
		return nilAngle
	}
	return reflect.TypeOf(v).String()
}

// printer holds the output and the state of the verb being formatted.
type printer struct {
	buf []byte
	spec

	// wrapErrs is set by Errorf, which accepts %w; wrapped lists the
	// indexes of its operands.
	wrapErrs bool
	wrapped  []int

	erroring  bool // inside badVerb: do not call Error or String
	panicking bool // inside catchPanic: a second panic propagates
	inexact   bool // something unsupported was rendered as %!verb(type)
}

// spec is the flags, width and precision of one verb.
type spec struct {
	minus, plus, sharp, space, zero bool
	// plusV and sharpV record %+v and %#v, for which plus and sharp are
	// cleared, as fmt does.
	plusV, sharpV bool

	wid, prec               int
	widPresent, precPresent bool
}

const (
	nilAngle    = "<nil>"
	percentBang = "%!"
)

// printf formats args according to format, as fmt's doPrintf does.
func (p *printer) printf(format string, args []any) {
	end := len(format)
	argNum := 0
	skipExtra := false // an unsupported argument index makes the count meaningless
	for i := 0; i < end; {
		start := i
		for i < end && format[i] != '%' {
			i++
		}
		p.buf = append(p.buf, format[start:i]...)
		if i >= end {
			break
		}
		i++ // the '%'

		p.spec = spec{}
	flags:
		for ; i < end; i++ {
			switch format[i] {
			case '#':
				p.sharp = true
			case '0':
				p.zero = true
			case '+':
				p.plus = true
			case '-':
				p.minus = true
			case ' ':
				p.space = true
			default:
				break flags
			}
		}

		if i < end && format[i] == '[' {
			i = p.argumentIndex(format, i)
			skipExtra = true
			continue
		}

		if i < end && format[i] == '*' {
			i++
			p.wid, p.widPresent, argNum = intFromArg(args, argNum)
			if !p.widPresent {
				p.buf = append(p.buf, "%!(BADWIDTH)"...)
			}
			if p.wid < 0 { // a negative width means left-justify
				p.wid = -p.wid
				p.minus = true
				p.zero = false
			}
		} else {
			p.wid, p.widPresent, i = parseNum(format, i, end)
		}

		if i+1 < end && format[i] == '.' {
			i++
			if i < end && format[i] == '*' {
				i++
				p.prec, p.precPresent, argNum = intFromArg(args, argNum)
				if p.prec < 0 { // a negative precision means none
					p.prec = 0
					p.precPresent = false
				}
				if !p.precPresent {
					p.buf = append(p.buf, "%!(BADPREC)"...)
				}
			} else {
				p.prec, p.precPresent, i = parseNum(format, i, end)
				if !p.precPresent { // "%.d" means precision 0
					p.prec = 0
					p.precPresent = true
				}
			}
		}

		if i < end && format[i] == '[' {
			i = p.argumentIndex(format, i)
			skipExtra = true
			continue
		}

		if i >= end {
			p.buf = append(p.buf, "%!(NOVERB)"...)
			break
		}
		verb, size := utf8.DecodeRuneInString(format[i:])
		i += size

		switch {
		case verb == '%': // takes no operand and ignores width and precision
			p.buf = append(p.buf, '%')
		case argNum >= len(args):
			p.buf = append(p.buf, percentBang...)
			p.buf = utf8.AppendRune(p.buf, verb)
			p.buf = append(p.buf, "(MISSING)"...)
		default:
			if verb == 'w' {
				p.wrapped = append(p.wrapped, argNum)
			}
			if verb == 'v' || verb == 'w' {
				p.sharpV, p.sharp = p.sharp, false
				p.plusV, p.plus = p.plus, false
			}
			p.printArg(args[argNum], verb)
			argNum++
		}
	}

	if !skipExtra && argNum < len(args) {
		p.spec = spec{}
		p.buf = append(p.buf, "%!(EXTRA "...)
		for i, arg := range args[argNum:] {
			if i > 0 {
				p.buf = append(p.buf, ", "...)
			}
			if arg == nil {
				p.buf = append(p.buf, nilAngle...)
				continue
			}
			p.buf = append(p.buf, TypeName(arg)...)
			p.buf = append(p.buf, '=')
			p.printArg(arg, 'v')
		}
		p.buf = append(p.buf, ')')
	}
}

// argumentIndex handles an explicit argument index ("%[2]d"), which this
// package does not support: it writes %!verb(index) and returns the
// position after the verb.
func (p *printer) argumentIndex(format string, i int) int {
	p.inexact = true
	for i < len(format) && format[i] != ']' {
		i++
	}
	for i < len(format) && (format[i] == ']' || format[i] == '.' || format[i] == '*' ||
		format[i] >= '0' && format[i] <= '9') {
		i++
	}
	verb, size := utf8.RuneError, 0
	if i < len(format) {
		verb, size = utf8.DecodeRuneInString(format[i:])
	}
	p.buf = append(p.buf, percentBang...)
	p.buf = utf8.AppendRune(p.buf, verb)
	p.buf = append(p.buf, "(index)"...)
	return i + size
}

// tooLarge reports whether a width or precision is beyond what fmt accepts.
func tooLarge(x int) bool {
	const max = 1e6
	return x > max || x < -max
}

// parseNum reads the decimal number starting at s[start:end], if any.
func parseNum(s string, start, end int) (num int, isNum bool, next int) {
	if start >= end {
		return 0, false, end
	}
	for next = start; next < end && '0' <= s[next] && s[next] <= '9'; next++ {
		if tooLarge(num) {
			return 0, false, end // an absurdly long number
		}
		num = num*10 + int(s[next]-'0')
		isNum = true
	}
	return num, isNum, next
}

// intFromArg takes the operand of a '*' width or precision.
func intFromArg(args []any, argNum int) (num int, isInt bool, next int) {
	next = argNum
	if argNum < len(args) {
		num, isInt = args[argNum].(int)
		if !isInt {
			switch v := reflect.ValueOf(args[argNum]); v.Kind() {
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				n := v.Int()
				if int64(int(n)) == n {
					num, isInt = int(n), true
				}
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
				n := v.Uint()
				if int64(n) >= 0 && uint64(int(n)) == n {
					num, isInt = int(n), true
				}
			}
		}
		next = argNum + 1
		if tooLarge(num) {
			num, isInt = 0, false
		}
	}
	return num, isInt, next
}
