package main

import (
	"math"
	"os"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

// The methods that take values apart and put them together: what the
// SDK's decoder, encoder and faults do with every XML-RPC type.

func echo(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	return p[0], nil
}

func echoAll(p guest.Params) (any, error) {
	// A copy, never nil: Params' array is reused by the next call, and no
	// params is an empty array, not nil.
	out := make([]any, len(p))
	copy(out, p)
	return out, nil
}

func typeOf(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	name := abi.TypeName(p[0])
	if name == "i8" { // the guest sees one integer type, whatever the wire said
		name = "int"
	}
	return name, nil
}

// add adds like Python's +: numbers (an int and a double make a double),
// strings, base64 and arrays by concatenation; nothing else.
func add(p guest.Params) (any, error) {
	if err := p.Want(2); err != nil {
		return nil, err
	}
	switch a := p[0].(type) {
	case int64:
		switch b := p[1].(type) {
		case int64:
			s := a + b
			if (s > a) != (b > 0) {
				return nil, invalid("add: " + abi.TypeName(a) + " + " + abi.TypeName(b) + " overflows 64 bits")
			}
			return s, nil
		case float64:
			return finite(float64(a) + b)
		}
	case float64:
		switch b := p[1].(type) {
		case float64:
			return finite(a + b)
		case int64:
			return finite(a + float64(b))
		}
	case string:
		if b, ok := p[1].(string); ok {
			return a + b, nil
		}
	case []byte:
		if b, ok := p[1].([]byte); ok {
			return append(append(make([]byte, 0, len(a)+len(b)), a...), b...), nil
		}
	case []any:
		if b, ok := p[1].([]any); ok {
			return append(append(make([]any, 0, len(a)+len(b)), a...), b...), nil
		}
	}
	return nil, invalid("add: cannot add " + abi.TypeName(p[0]) + " and " + abi.TypeName(p[1]))
}

func finite(f float64) (any, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, invalid("add: the sum is not a finite double")
	}
	return f, nil
}

func invalid(msg string) error { return &abi.Fault{Code: abi.CodeInvalidParams, Message: msg} }

func made(p guest.Params) (any, error) {
	if err := p.Want(0); err != nil {
		return nil, err
	}
	return abi.Struct{
		{Name: "int", Value: int64(42)},
		{Name: "i8", Value: int64(1) << 40},
		{Name: "negative", Value: int64(-7)},
		{Name: "boolean", Value: true},
		{Name: "double", Value: 1.5},
		{Name: "string", Value: "héllo, 世界"},
		{Name: "empty", Value: ""},
		{Name: "datetime", Value: time.Date(2001, 2, 3, 4, 5, 6, 789_000_000, time.UTC)},
		{Name: "base64", Value: []byte{0x00, 0x01, 0x02, 0xFF}},
		{Name: "array", Value: []any{int64(1), "two", 3.0}},
		{Name: "struct", Value: abi.Struct{{Name: "a", Value: int64(1)}, {Name: "b", Value: []any{true}}}},
		{Name: "nil", Value: nil},
	}, nil
}

func fault(p guest.Params) (any, error) {
	if err := p.Want(2); err != nil {
		return nil, err
	}
	code, err := p.Int(0)
	if err != nil {
		return nil, err
	}
	msg, err := p.String(1)
	if err != nil {
		return nil, err
	}
	return nil, &abi.Fault{Code: int(code), Message: msg}
}

// trap ends the module. A panic would not do: the SDK recovers a handler's
// panic into a -32500 fault and keeps the instance, whereas a trap is the
// host's to report (-32000) and costs the instance. Exiting is the Go way
// to stop a wasm module as unreachable stops one in C or Rust.
func trap(p guest.Params) (any, error) {
	if err := p.Want(0); err != nil {
		return nil, err
	}
	os.Exit(2)
	return nil, nil
}
