package abi

import (
	"strconv"

	"github.com/rpchost/rpchost/abi/internal/smallfmt"
)

// Fault is an XML-RPC fault: a guest returns one to fail a call, and the host
// turns every error into one before it reaches the wire.
type Fault struct {
	Code    int
	Message string
}

func (f *Fault) Error() string {
	return "fault " + strconv.Itoa(f.Code) + ": " + f.Message
}

// Faultf builds a Fault with a message formatted like fmt.Sprintf.
//
// It does not use package fmt, and neither does the rest of this package:
// every Go plugin links this package, and fmt would add 0.4 MB to each
// (0.76 MB once called) for wazero to compile at every load. Its own
// formatter prints what fmt prints, byte for byte, for the verbs, flags and
// operands messages use: numbers, strings, []byte, []string and []any of
// those, errors and Stringers, with width and precision. What it cannot
// print the way fmt would, such as a struct without a String method, %#v
// of one, or an argument index (%[1]d), comes out as %!verb(type): format
// such a value into the message yourself.
//
// The formatter still adds about 0.1 MB to a plugin that calls Faultf. A
// plugin that counts its size can build the message with strconv and
// return &Fault{Code: code, Message: msg}.
func Faultf(code int, format string, args ...any) *Fault {
	return &Fault{Code: code, Message: smallfmt.Sprintf(format, args...)}
}
