package jsonrpc

// Version is the dialect of a request, and so of its response.
type Version int

const (
	// V2 is JSON-RPC 2.0: the request has "jsonrpc" (which must be
	// "2.0"), or is too broken to tell; the response has "jsonrpc": "2.0"
	// and either result or error.
	V2 Version = iota
	// V1 is JSON-RPC 1.0: a request with a method but neither "jsonrpc"
	// nor "version": "1.1"; the response has result, error and id, one of
	// result and error null.
	V1
	// V11 is JSON-RPC 1.1 as web2py speaks it: "version": "1.1" in the
	// request; the response is V1's with "version": "1.1", and an error
	// carries "name": "JSONRPCError" as web2py's server writes it.
	V11
)

// Message is a parsed body: one request, or a batch of them.
type Message struct {
	Batch    bool
	Requests []Request // one unless Batch; a batch holds at least one
}

// Request is one call of a body.
type Request struct {
	Version Version
	Method  string
	// Params are the positional params; named params (an object) arrive
	// as one abi.Struct param holding the members in the order written.
	Params []any
	Named  bool
	// ID is the id's JSON text exactly as the client wrote it (a string
	// with its escapes, a number with its digits), nil when the request
	// had none or its id was not a string, number or null.
	ID []byte
	// Notification: the request wants no response (2.0: no id member;
	// 1.0 and 1.1: no id, or a null one). A notification whose Err is
	// ErrInvalidRequest is answered all the same, as 2.0 requires.
	Notification bool
	// Err is why the request cannot be run (it wraps ErrInvalidRequest or
	// ErrInvalidParams), answered instead of running it.
	Err error
}

// Answered reports whether the request gets a response.
func (r *Request) Answered() bool {
	return !r.Notification || isInvalidRequest(r.Err)
}
