package host

import (
	"context"
	"errors"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/jsonrpc"
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
	// CodeUnauthenticated: the call needs credentials it did not bring, or
	// brought credentials that name no caller (auth.*); HTTP 401.
	CodeUnauthenticated = -32009
	// CodeNotPermitted: the caller may not call this procedure
	// (auth.callers.<name>.allow).
	CodeNotPermitted = -32010
	// CodeRateLimited: the caller has used up its rate; HTTP 429.
	CodeRateLimited = -32011
)

// Sentinel errors of dispatch. What Call returns matches one of them with
// errors.Is, or is an *abi.Fault the procedure returned (errors.As); FaultOf
// turns any of them into the fault an XML-RPC client would get.
var (
	// ErrMethodNotFound: no procedure has the requested name.
	ErrMethodNotFound = errors.New("method not found")
	// ErrInvalidMethodName: the name breaks the XML-RPC spec or is private.
	ErrInvalidMethodName = errors.New("invalid method name")
	// ErrClosed: the host is closed (or closing).
	ErrClosed = errors.New("host is closed")

	// ErrTrap: the procedure trapped (CodeTrap).
	ErrTrap = plugin.ErrTrap
	// ErrTimeout: the procedure ran past its time limit (CodeTimeout).
	ErrTimeout = plugin.ErrTimeout
	// ErrBusy: every instance stayed busy until the deadline (CodeBusy).
	ErrBusy = plugin.ErrBusy
	// ErrUnloaded: the plugin was unloaded while the call waited
	// (CodeUnavailable).
	ErrUnloaded = plugin.ErrClosed
	// ErrMemoryLimit: the procedure ran out of memory (CodeMemoryLimit).
	ErrMemoryLimit = plugin.ErrMemoryLimit
	// ErrOutputLimit: the procedure wrote too much output (CodeOutputLimit).
	ErrOutputLimit = plugin.ErrOutputLimit
	// ErrResultTooLarge: the result is over limits.max_result_bytes
	// (CodeResultTooLarge).
	ErrResultTooLarge = plugin.ErrResultTooLarge
	// ErrStorage: the call's writes could not be committed (CodeStorage).
	ErrStorage = plugin.ErrStorage
	// ErrProtocol: the procedure broke the rpchost ABI (an internal error).
	ErrProtocol = plugin.ErrProtocol
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
	{jsonrpc.ErrParse, abi.CodeParseError},
	{jsonrpc.ErrInvalidRequest, abi.CodeInvalidRequest},
	{jsonrpc.ErrInvalidParams, abi.CodeInvalidParams},
	{jsonrpc.ErrLimit, abi.CodeInvalidRequest},
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
	{ErrClosed, CodeUnavailable},
	{plugin.ErrProtocol, abi.CodeInternalError},
	{ErrUnauthenticated, CodeUnauthenticated},
	{ErrNotPermitted, CodeNotPermitted},
	{ErrRateLimited, CodeRateLimited},
	{ErrAdminDisabled, CodeForbidden},
	{ErrUnauthorized, CodeForbidden},
	{ErrBadPluginName, abi.CodeInvalidParams},
	{ErrUploadTooLarge, abi.CodeInvalidParams},
	{ErrInvalidModule, abi.CodeInvalidParams},
	{ErrNoSuchPlugin, abi.CodeInvalidParams},
	{ErrNoSuchVersion, abi.CodeInvalidParams},
	{ErrDeployUnavailable, CodeUnavailable},
	{context.Canceled, abi.CodeInternalError},
}

// FaultOf classifies an error from Call, Upload or Remove the way the
// XML-RPC front end does: the fault a procedure returned, or the code of
// the first sentinel it matches (CodeTimeout for ErrTimeout, ...), or an
// internal error. It returns nil for a nil error.
func FaultOf(err error) *abi.Fault {
	if err == nil {
		return nil
	}
	return toFault(err)
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
