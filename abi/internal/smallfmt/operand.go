package smallfmt

import (
	"reflect"
	"unicode/utf8"
)

// stringer is fmt.Stringer.
type stringer interface{ String() string }

// printArg formats one operand for verb, as fmt's printArg does.
func (p *printer) printArg(arg any, verb rune) {
	if arg == nil {
		switch verb {
		case 'T', 'v':
			p.padString(nilAngle)
		default:
			p.badVerb(verb, arg)
		}
		return
	}
	switch verb {
	case 'T':
		p.fmtS(TypeName(arg))
		return
	case 'p':
		p.unsupported(verb, arg)
		return
	}
	switch f := arg.(type) {
	case bool:
		p.fmtBool(f, verb, arg)
	case float32:
		p.fmtFloat(float64(f), 32, verb, arg)
	case float64:
		p.fmtFloat(f, 64, verb, arg)
	case complex64:
		p.fmtComplex(complex128(f), 64, verb, arg)
	case complex128:
		p.fmtComplex(f, 128, verb, arg)
	case int:
		p.fmtInteger(uint64(f), signed, verb, arg)
	case int8:
		p.fmtInteger(uint64(f), signed, verb, arg)
	case int16:
		p.fmtInteger(uint64(f), signed, verb, arg)
	case int32:
		p.fmtInteger(uint64(f), signed, verb, arg)
	case int64:
		p.fmtInteger(uint64(f), signed, verb, arg)
	case uint:
		p.fmtInteger(uint64(f), unsigned, verb, arg)
	case uint8:
		p.fmtInteger(uint64(f), unsigned, verb, arg)
	case uint16:
		p.fmtInteger(uint64(f), unsigned, verb, arg)
	case uint32:
		p.fmtInteger(uint64(f), unsigned, verb, arg)
	case uint64:
		p.fmtInteger(f, unsigned, verb, arg)
	case uintptr:
		p.fmtInteger(uint64(f), unsigned, verb, arg)
	case string:
		p.fmtString(f, verb, arg)
	case []byte:
		p.fmtBytes(f, verb, arg)
	default:
		if p.sharpV { // Go syntax for other types needs reflection
			p.unsupported(verb, arg)
			return
		}
		if !p.handleMethods(verb, arg) {
			p.printValue(arg, verb, 0)
		}
	}
}

// handleMethods formats arg through its Error or String method when verb
// takes a string, as fmt does, and reports whether it did.
func (p *printer) handleMethods(verb rune, arg any) bool {
	if p.erroring {
		return false
	}
	if verb == 'w' {
		// %w is for Errorf and an error operand; it is otherwise wrong.
		if _, ok := arg.(error); !ok || !p.wrapErrs {
			p.badVerb(verb, arg)
			return true
		}
		verb = 'v'
	}
	switch verb {
	case 'v', 's', 'x', 'X', 'q':
		switch v := arg.(type) {
		case error:
			p.callString(arg, verb, "Error", v.Error)
			return true
		case stringer:
			p.callString(arg, verb, "String", v.String)
			return true
		}
	}
	return false
}

// callString formats what method (Error or String) returns, turning a
// panic in it into fmt's %!v(PANIC=...) marker.
func (p *printer) callString(arg any, verb rune, name string, method func() string) {
	defer p.catchPanic(arg, verb, name)
	p.fmtString(method(), verb, arg)
}

func (p *printer) catchPanic(arg any, verb rune, method string) {
	err := recover()
	if err == nil {
		return
	}
	// A nil pointer receiver is the likeliest cause; fmt prints <nil>.
	if v := reflect.ValueOf(arg); v.Kind() == reflect.Pointer && v.IsNil() {
		p.buf = append(p.buf, nilAngle...)
		return
	}
	if p.panicking { // the panic value's own method panicked too
		panic(err)
	}
	saved := p.spec
	p.spec = spec{}
	p.buf = append(p.buf, percentBang...)
	p.buf = utf8.AppendRune(p.buf, verb)
	p.buf = append(p.buf, "(PANIC="...)
	p.buf = append(p.buf, method...)
	p.buf = append(p.buf, " method: "...)
	p.panicking = true
	p.printArg(err, 'v')
	p.panicking = false
	p.buf = append(p.buf, ')')
	p.spec = saved
}

// printValue formats what the type switch of printArg did not catch: named
// scalar types by their kind, []string and []any element by element, as
// fmt's printValue does. Anything else is unsupported. depth is 0 for an
// operand and grows for the elements of slices.
func (p *printer) printValue(arg any, verb rune, depth int) {
	if depth > 0 {
		if arg == nil { // a nil element of a []any, never padded
			p.buf = append(p.buf, nilAngle...)
			return
		}
		if p.handleMethods(verb, arg) {
			return
		}
	}
	switch a := arg.(type) {
	case []any:
		p.buf = append(p.buf, '[')
		for i, e := range a {
			if i > 0 {
				p.buf = append(p.buf, ' ')
			}
			p.printValue(e, verb, depth+1)
		}
		p.buf = append(p.buf, ']')
		return
	case []string:
		p.buf = append(p.buf, '[')
		for i, e := range a {
			if i > 0 {
				p.buf = append(p.buf, ' ')
			}
			p.fmtString(e, verb, e)
		}
		p.buf = append(p.buf, ']')
		return
	}
	if depth > 0 {
		// An element: the basic types printArg handles first, then kinds.
		switch arg.(type) {
		case bool, float32, float64, complex64, complex128, int, int8, int16, int32, int64,
			uint, uint8, uint16, uint32, uint64, uintptr, string, []byte:
			p.printArg(arg, verb)
			return
		}
	}
	switch v := reflect.ValueOf(arg); v.Kind() {
	case reflect.Bool:
		p.fmtBool(v.Bool(), verb, arg)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.fmtInteger(uint64(v.Int()), signed, verb, arg)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.fmtInteger(v.Uint(), unsigned, verb, arg)
	case reflect.Float32:
		p.fmtFloat(v.Float(), 32, verb, arg)
	case reflect.Float64:
		p.fmtFloat(v.Float(), 64, verb, arg)
	case reflect.Complex64:
		p.fmtComplex(v.Complex(), 64, verb, arg)
	case reflect.Complex128:
		p.fmtComplex(v.Complex(), 128, verb, arg)
	case reflect.String:
		p.fmtString(v.String(), verb, arg)
	default:
		p.unsupported(verb, arg)
	}
}

// badVerb writes fmt's marker for a verb that does not suit the operand:
// %!verb(type=value).
func (p *printer) badVerb(verb rune, arg any) {
	p.erroring = true
	p.buf = append(p.buf, percentBang...)
	p.buf = utf8.AppendRune(p.buf, verb)
	p.buf = append(p.buf, '(')
	if arg == nil {
		p.buf = append(p.buf, nilAngle...)
	} else {
		p.buf = append(p.buf, TypeName(arg)...)
		p.buf = append(p.buf, '=')
		p.printArg(arg, 'v')
	}
	p.buf = append(p.buf, ')')
	p.erroring = false
}

// unsupported writes %!verb(type) for what this package cannot format as
// fmt would.
func (p *printer) unsupported(verb rune, arg any) {
	p.inexact = true
	p.buf = append(p.buf, percentBang...)
	p.buf = utf8.AppendRune(p.buf, verb)
	p.buf = append(p.buf, '(')
	p.buf = append(p.buf, TypeName(arg)...)
	p.buf = append(p.buf, ')')
}
