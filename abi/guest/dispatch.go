package guest

import (
	"io"
	"runtime"
	"strconv"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/internal/smallfmt"
)

// current is the method being called, for the messages of Params.Want.
// The ABI runs one call at a time per instance, so a plain variable is
// enough; Invoke serializes native callers. It is set, never reset, on the
// wasm path: one word written per call (Invoke clears it after each call,
// so that native tests calling handlers directly see no stale name).
var current *method

// panicLog receives the value and stack of a recovered handler panic; the
// host captures a guest's stderr for its log.
var panicLog io.Writer = stderr

// call runs the Call encoded in `in` and appends the Result to dst. It
// never fails: whatever goes wrong becomes a fault Result. It is the
// portable body of rpchost_call.
func (r *registry) call(dst, in []byte) []byte {
	m, name, params, err := r.parseCall(in)
	if err != nil {
		return abi.AppendFaultResult(dst, &abi.Fault{Code: abi.CodeInternalError,
			Message: "guest cannot read the call: " + err.Error()})
	}
	if params == nil && m != nil && m.typed != nil {
		return r.runTyped(dst, m, in[r.at:], r.count, r.at)
	}
	if cap(params) != cap(r.params) {
		r.params = params // it grew: keep the larger array
	}
	if m == nil {
		r.release(params)
		return abi.AppendFaultResult(dst, &abi.Fault{Code: abi.CodeMethodNotFound,
			Message: "method " + strconv.Quote(string(name)) + " not found"})
	}
	out := r.run(dst, m, params)
	r.release(params) // not deferred: a defer costs more than the rest in wasm
	return out
}

// run calls m and appends its Result to dst.
func (r *registry) run(dst []byte, m *method, params Params) []byte {
	current = m
	v, err := invoke(m, params)
	if err != nil {
		return abi.AppendFaultResult(dst, toFault(err))
	}
	if _, ok := v.(int64); !ok { // the commonest result needs no normalizing
		v, _, err = normalize(v, 0)
	}
	if err != nil {
		return abi.AppendFaultResult(dst, &abi.Fault{Code: abi.CodeInternalError,
			Message: m.name + ": " + err.Error()})
	}
	out, err := abi.AppendResult(dst, v)
	if err != nil {
		return abi.AppendFaultResult(dst, &abi.Fault{Code: abi.CodeInternalError,
			Message: m.name + ": result: " + err.Error()})
	}
	return out
}

// release clears the params so that the GC can have their values, and
// drops an array too large to be worth keeping for the next call.
func (r *registry) release(params []any) {
	// Counting down keeps the compiler from turning the loop into a call
	// to memclrHasPointers, which in wasm costs more than a few stores.
	for i := len(params) - 1; i >= 0; i-- {
		params[i] = nil
	}
	if cap(params) > 1024 {
		r.params = nil
	}
}

// invoke calls the handler, turning a panic into a fault so that one bad
// input does not cost the host an instance.
func invoke(m *method, params Params) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			value := smallfmt.Sprint(p)
			logPanic(m.name, value)
			v, err = nil, &abi.Fault{Code: abi.CodeApplicationError, Message: "panic: " + value}
		}
	}()
	return m.handler(params)
}

// logPanic writes a recovered panic and the panicking goroutine's stack to
// panicLog. It takes the stack from runtime.Stack rather than
// runtime/debug.Stack, whose package imports os: that alone would add
// 0.4 MB to every plugin.
func logPanic(method, value string) {
	stack := make([]byte, 4<<10)
	for {
		n := runtime.Stack(stack, false)
		if n < len(stack) {
			stack = stack[:n]
			break
		}
		stack = make([]byte, 2*len(stack))
	}
	msg := make([]byte, 0, len(method)+len(value)+len(stack)+40)
	msg = append(msg, "rpchost guest: panic in method "...)
	msg = append(msg, method...)
	msg = append(msg, ": "...)
	msg = append(msg, value...)
	msg = append(msg, '\n')
	_, _ = panicLog.Write(append(msg, stack...))
}

// toFault turns a handler's error into the fault sent to the client: an
// *abi.Fault in the chain as it is, anything else as an application error.
func toFault(err error) *abi.Fault {
	if f, ok := faultIn(err); ok {
		if f == nil { // err.Error() would panic on the nil pointer
			return &abi.Fault{Code: abi.CodeInternalError, Message: "handler returned a nil *abi.Fault as its error"}
		}
		return f
	}
	return &abi.Fault{Code: abi.CodeApplicationError, Message: err.Error()}
}

// faultIn finds the first *abi.Fault in err's tree as errors.As(err, &f)
// does: depth first, through Unwrap() error, Unwrap() []error and As
// methods. errors.As needs reflection to handle any target, which costs a
// plugin 66 KB; this one target needs none.
func faultIn(err error) (*abi.Fault, bool) {
	for err != nil {
		if f, ok := err.(*abi.Fault); ok {
			return f, true
		}
		if x, ok := err.(interface{ As(any) bool }); ok {
			var f *abi.Fault
			if x.As(&f) {
				return f, true
			}
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if f, ok := faultIn(e); ok {
					return f, true
				}
			}
			return nil, false
		default:
			return nil, false
		}
	}
	return nil, false
}
