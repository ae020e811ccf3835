// Command types is the rpchost plugin that exercises every XML-RPC type:
// it echoes, names, builds, reverses and takes apart values, and fails on
// request, so that clients and the host's codec can be checked end to end.
// Build it with `go run ./examples/build`.
package main

import (
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

func init() {
	echoSigs := make([]guest.Option, 0, len(abi.TypeNames)+1)
	typeOfSigs := make([]guest.Option, 0, len(abi.TypeNames)+1)
	for _, t := range abi.TypeNames {
		echoSigs = append(echoSigs, guest.Signature(t, t))
		typeOfSigs = append(typeOfSigs, guest.Signature("string", t))
	}
	guest.RegisterTyped("echo", echo, append(echoSigs,
		guest.Help("Returns its one param unchanged, whatever its type, nested values included."))...)
	guest.Register("typeOf", typeOf, append(typeOfSigs,
		guest.Help("Returns the XML-RPC type name of its one param: int, i8, boolean, string, double, "+
			"dateTime.iso8601, base64, array, struct or nil."))...)
	guest.Register("sample", sample, guest.Signature("struct"),
		guest.Help("Returns a struct with one member of every XML-RPC type, named after the type."))
	guest.Register("reverse", reverse, guest.Signature("array", "array"),
		guest.Help("Returns its array param with the elements in reverse order."))
	guest.Register("keys", keys, guest.Signature("array", "struct"),
		guest.Help("Returns the member names of its struct param, in the order they were sent."))
	guest.Register("fault", fault, guest.Signature("nil", "int", "string"),
		guest.Help("Fails with the fault code and message given as params."))
	guest.Register("fail", fail, guest.Signature("nil", "string"),
		guest.Help("Fails with a plain error carrying the message given, which the client sees as "+
			"an application error (fault code -32500)."))
}

// echo passes its param through without decoding it: the bytes of the
// call are copied into the result as they came (a 500-reading batch costs
// one copy instead of a few thousand allocations).
func echo(args guest.Args, out *guest.Writer) error {
	if err := args.Want(1); err != nil {
		return err
	}
	v, err := args.At(0)
	if err != nil {
		return err
	}
	out.Raw(v)
	return nil
}

func typeOf(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	return abi.TypeName(p[0]), nil
}

func sample(p guest.Params) (any, error) {
	if err := p.Want(0); err != nil {
		return nil, err
	}
	return abi.Struct{
		{Name: "int", Value: int64(42)},
		{Name: "i8", Value: int64(1) << 40},
		{Name: "boolean", Value: true},
		{Name: "string", Value: "<hello & welcome>"},
		{Name: "double", Value: 3.25},
		{Name: "dateTime.iso8601", Value: time.Date(1998, 7, 17, 14, 8, 55, 0, time.UTC)},
		{Name: "base64", Value: []byte("rpchost\x00\xff")},
		{Name: "array", Value: []any{int64(1), "two", 3.0}},
		{Name: "struct", Value: abi.Struct{{Name: "nested", Value: true}}},
		{Name: "nil", Value: nil},
	}, nil
}

func reverse(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	a, err := p.Array(0)
	if err != nil {
		return nil, err
	}
	r := slices.Clone(a)
	slices.Reverse(r)
	return r, nil
}

func keys(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	s, err := p.Struct(0)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(s))
	for i, m := range s {
		names[i] = m.Name
	}
	return names, nil
}

func fault(p guest.Params) (any, error) {
	if err := p.Want(2); err != nil {
		return nil, err
	}
	code, err := p.Int(0)
	if err != nil {
		return nil, err
	}
	if code != int64(int32(code)) {
		return nil, &abi.Fault{Code: abi.CodeInvalidParams,
			Message: "fault: code " + strconv.FormatInt(code, 10) + " does not fit in an <int>"}
	}
	msg, err := p.String(1)
	if err != nil {
		return nil, err
	}
	return nil, &abi.Fault{Code: int(code), Message: msg}
}

func fail(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	msg, err := p.String(0)
	if err != nil {
		return nil, err
	}
	return nil, errors.New(msg)
}

func main() {}
