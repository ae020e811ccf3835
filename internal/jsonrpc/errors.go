package jsonrpc

import (
	"errors"
	"fmt"
)

// The sentinel errors say which kind of mistake a client made; the
// wrapping error says what exactly and where.
var (
	// ErrParse means the body is not JSON (or not UTF-8): error -32700.
	ErrParse = errors.New("jsonrpc: parse error")
	// ErrInvalidRequest means the JSON is not a JSON-RPC request: a
	// missing or non-string method, params neither array nor object, an id
	// that is an object, array or boolean, a duplicate member, an empty
	// batch: error -32600.
	ErrInvalidRequest = errors.New("jsonrpc: invalid request")
	// ErrInvalidParams means a request is well formed but a param has no
	// value in the abi set: an integer outside 64 bits, a float beyond
	// float64, a malformed {"__base64__"} or {"__datetime__"}: error -32602.
	ErrInvalidParams = errors.New("jsonrpc: invalid params")
	// ErrLimit means the body exceeds a bound of [Limits]; the message
	// names the limit and its configuration key: error -32600, as the
	// XML-RPC front end answers.
	ErrLimit = errors.New("jsonrpc: limit exceeded")
)

// posError is an error at a byte offset of the body.
type posError struct {
	kind error
	off  int64
	msg  string
}

func (e *posError) Error() string {
	return fmt.Sprintf("%v at byte %d: %s", e.kind, e.off, e.msg)
}

func (e *posError) Unwrap() error { return e.kind }

func errAt(off int64, kind error, format string, args ...any) error {
	return &posError{kind: kind, off: off, msg: fmt.Sprintf(format, args...)}
}
