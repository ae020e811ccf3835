package guest

import (
	"strconv"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/internal/smallfmt"
)

// A TypedHandler implements one method registered with RegisterTyped: it
// reads its params in place from args and writes its result to out. An
// error it returns becomes a fault as a Handler's does (and whatever was
// written is dropped).
type TypedHandler func(args Args, out *Writer) error

// Args are the params of a typed handler's call, undecoded: each is a
// Value read in place.
type Args struct {
	b    []byte  // the params, encoded one after the other
	offs []int32 // where each starts in b
}

// Len returns the number of params.
func (a Args) Len() int { return len(a.offs) }

// Want returns a fault unless there are exactly n params, as Params.Want.
func (a Args) Want(n int) error {
	if len(a.offs) == n {
		return nil
	}
	name := "method"
	if current != nil {
		name = current.name
	}
	return &abi.Fault{Code: abi.CodeInvalidParams,
		Message: name + " takes " + count(n, "param") + ", got " + strconv.Itoa(len(a.offs))}
}

// At returns param i (0-based), or a fault when it is missing, as
// Params.Any words it.
func (a Args) At(i int) (Value, error) {
	if i < 0 || i >= len(a.offs) {
		return Value{}, &abi.Fault{Code: abi.CodeInvalidParams,
			Message: "param " + strconv.Itoa(i+1) + ": missing (got " + count(len(a.offs), "param") + ")"}
	}
	return Value{b: a.b[a.offs[i]:], pos: i}, nil
}

// RegisterTyped makes h callable as name, as Register does for a Handler,
// with the same rules for names and options. A typed handler reads its
// params in place and writes its result directly: no []any, no boxed
// ints, no abi.Struct, so a call allocates only what the handler itself
// does. That matters inside wasm, where an allocation costs about half a
// microsecond; a method taking or returning thousands of values is
// several times cheaper this way. Register stays the simpler choice for
// the rest.
func RegisterTyped(name string, h TypedHandler, opts ...Option) {
	if h == nil {
		panic("guest.RegisterTyped: method " + name + ": handler is nil")
	}
	if err := std.add(&method{name: name, typed: h}, opts); err != nil {
		panic("guest.RegisterTyped: " + err.Error())
	}
}

// runTyped calls typed method m with the count params that start params
// (the rest of the Call, at offset at in it) and appends its Result to dst.
func (r *registry) runTyped(dst []byte, m *method, params []byte, count uint64, at int) []byte {
	offs := r.offs[:0]
	off := 0
	for range count {
		size, err := check(params[off:], at+off, 0)
		if err != nil {
			return abi.AppendFaultResult(dst, &abi.Fault{Code: abi.CodeInternalError,
				Message: "guest cannot read the call: " + err.Error()})
		}
		offs = append(offs, int32(off))
		off += size
	}
	if cap(offs) > cap(r.offs) {
		r.offs = offs
	}
	if off != len(params) {
		return abi.AppendFaultResult(dst, &abi.Fault{Code: abi.CodeInternalError,
			Message: "guest cannot read the call: " + malformed(at+off,
				strconv.Itoa(len(params)-off)+" unexpected bytes after the Call").Error()})
	}
	current = m
	start := len(dst)
	w := &r.w
	w.Reset(append(dst, 0x92, abi.StatusOK)) // [0, value]
	err := invokeTyped(m, Args{b: params, offs: offs}, w)
	out := w.b
	w.b = nil // the Writer must not hold the output past the call
	if err != nil {
		return abi.AppendFaultResult(out[:start], toFault(err))
	}
	if err := w.finish(); err != nil {
		return abi.AppendFaultResult(out[:start], &abi.Fault{Code: abi.CodeInternalError,
			Message: m.name + ": result: " + err.Error()})
	}
	if !w.wrote {
		out = append(out, 0xc0) // nothing written: nil
	}
	return out
}

// invokeTyped is invoke for a typed handler.
func invokeTyped(m *method, args Args, w *Writer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			value := smallfmt.Sprint(p)
			logPanic(m.name, value)
			err = &abi.Fault{Code: abi.CodeApplicationError, Message: "panic: " + value}
		}
	}()
	return m.typed(args, w)
}
