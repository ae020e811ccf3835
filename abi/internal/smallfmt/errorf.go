package smallfmt

import "errors"

// Errorf formats like fmt.Errorf: a %w operand is wrapped, so errors.Is
// and errors.As see it (several %w give an Unwrap() []error).
func Errorf(format string, args ...any) error {
	p := printer{wrapErrs: true}
	p.printf(format, args)
	msg := string(p.buf)
	switch len(p.wrapped) {
	case 0:
		return errors.New(msg)
	case 1:
		w := &wrapError{msg: msg}
		w.err, _ = args[p.wrapped[0]].(error)
		return w
	default:
		var errs []error
		for _, i := range p.wrapped {
			if e, ok := args[i].(error); ok {
				errs = append(errs, e)
			}
		}
		return &wrapErrors{msg: msg, errs: errs}
	}
}

type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

type wrapErrors struct {
	msg  string
	errs []error
}

func (e *wrapErrors) Error() string   { return e.msg }
func (e *wrapErrors) Unwrap() []error { return e.errs }

// Wrap returns the error Errorf would for a message ending in %w of err,
// for a message put together without formatting: code linked into every
// plugin uses it, so as not to bring the formatter along.
func Wrap(msg string, err error) error {
	return &wrapError{msg: msg, err: err}
}
