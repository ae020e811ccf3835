package host

import (
	"context"
	"errors"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/plugin"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// Fault codes of rpchost's own, in the range the fault-code interoperability
// convention reserves for implementation-defined server errors
// (-32099 … -32000), so a client can tell what stopped a procedure.
const (
	// CodeTrap: the procedure trapped (a crash inside the sandbox).
	CodeTrap = -32000
	// CodeTimeout: the procedure ran past its time limit.
	CodeTimeout = -32001
	// CodeBusy: every instance of the plugin stayed busy until the deadline.
	CodeBusy = -32002
	// CodeUnavailable: the plugin was unloaded while the call waited.
	CodeUnavailable = -32003
	// CodeForbidden: an admin procedure without the admin token, or with
	// administration disabled.
	CodeForbidden = -32004
	// CodeMemoryLimit: the procedure ran out of memory at limits.memory_mib.
	CodeMemoryLimit = -32005
	// CodeOutputLimit: the procedure wrote more than limits.max_output_bytes
	// to stdout and stderr in one call.
	CodeOutputLimit = -32006
	// CodeResultTooLarge: the result is over limits.max_result_bytes.
	CodeResultTooLarge = -32007
	// CodeStorage: the call's writes could not be committed (a quota, the
	// disk, the database); none of them were kept.
	CodeStorage = -32008
)

// Sentinel errors of dispatch.
var (
	// ErrMethodNotFound: no procedure has the requested name.
	ErrMethodNotFound = errors.New("method not found")
	// ErrInvalidMethodName: the name breaks the XML-RPC spec or is private.
	ErrInvalidMethodName = errors.New("invalid method name")
)

// faultCodes is the one table that turns an error into a fault code.
var faultCodes = []struct {
	err  error
	code int
}{
	{xmlrpc.ErrNotWellFormed, abi.CodeParseError},
	{xmlrpc.ErrUnsupportedEncoding, abi.CodeUnsupportedEncoding},
	{xmlrpc.ErrInvalidCharacter, abi.CodeInvalidCharacter},
	{xmlrpc.ErrInvalidRequest, abi.CodeInvalidRequest},
	{xmlrpc.ErrLimit, abi.CodeInvalidRequest},
	{ErrMethodNotFound, abi.CodeMethodNotFound},
	{ErrInvalidMethodName, abi.CodeMethodNotFound},
	{plugin.ErrMemoryLimit, CodeMemoryLimit},
	{plugin.ErrOutputLimit, CodeOutputLimit},
	{plugin.ErrResultTooLarge, CodeResultTooLarge},
	{plugin.ErrStorage, CodeStorage},
	{plugin.ErrTrap, CodeTrap},
	{plugin.ErrTimeout, CodeTimeout},
	{plugin.ErrBusy, CodeBusy},
	{plugin.ErrClosed, CodeUnavailable},
	{plugin.ErrProtocol, abi.CodeInternalError},
	{ErrAdminDisabled, CodeForbidden},
	{ErrUnauthorized, CodeForbidden},
	{ErrBadPluginName, abi.CodeInvalidParams},
	{ErrUploadTooLarge, abi.CodeInvalidParams},
	{ErrInvalidModule, abi.CodeInvalidParams},
	{ErrNoSuchPlugin, abi.CodeInvalidParams},
	{context.Canceled, abi.CodeInternalError},
}

// toFault is the single place where an error becomes wire data. A fault a
// procedure returned passes through unchanged; anything unknown becomes an
// internal error whose message carries the error's context.
func toFault(err error) *abi.Fault {
	var f *abi.Fault
	if errors.As(err, &f) {
		return f
	}
	for _, fc := range faultCodes {
		if errors.Is(err, fc.err) {
			return &abi.Fault{Code: fc.code, Message: err.Error()}
		}
	}
	return &abi.Fault{Code: abi.CodeInternalError, Message: "internal error: " + err.Error()}
}
