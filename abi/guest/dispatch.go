package guest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"

	"github.com/rpchost/rpchost/abi"
)

// current is the method being called, for the messages of Params.Want.
// The ABI runs one call at a time per instance, so a plain variable is
// enough; Invoke serializes native callers. It is set, never reset, on the
// wasm path: one word written per call (Invoke clears it after each call,
// so that native tests calling handlers directly see no stale name).
var current *method

// panicLog receives the value and stack of a recovered handler panic; the
// host captures a guest's stderr for its log.
var panicLog io.Writer = os.Stderr

// call runs the Call encoded in `in` and appends the Result to dst. It
// never fails: whatever goes wrong becomes a fault Result. It is the
// portable body of rpchost_call.
func (r *registry) call(dst, in []byte) []byte {
	name, params, err := parseCall(in, r.params[:0])
	if err != nil {
		return abi.AppendFaultResult(dst, &abi.Fault{Code: abi.CodeInternalError,
			Message: "guest cannot read the call: " + err.Error()})
	}
	if cap(params) != cap(r.params) {
		r.params = params // it grew: keep the larger array
	}
	m := r.lookup(name)
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
	v, _, err = normalize(v, 0)
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
	for i := range params {
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
			fmt.Fprintf(panicLog, "rpchost guest: panic in method %s: %v\n%s", m.name, p, debug.Stack())
			v, err = nil, &abi.Fault{Code: abi.CodeApplicationError, Message: fmt.Sprintf("panic: %v", p)}
		}
	}()
	return m.handler(params)
}

// toFault turns a handler's error into the fault sent to the client: an
// *abi.Fault in the chain as it is, anything else as an application error.
func toFault(err error) *abi.Fault {
	var f *abi.Fault
	if errors.As(err, &f) {
		if f == nil { // err.Error() would panic on the nil pointer
			return &abi.Fault{Code: abi.CodeInternalError, Message: "handler returned a nil *abi.Fault as its error"}
		}
		return f
	}
	return &abi.Fault{Code: abi.CodeApplicationError, Message: err.Error()}
}
