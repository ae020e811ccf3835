package abi

// Version is the ABI version this package describes. A guest returns it from
// rpchost_abi_version; the host refuses modules that return another.
const Version = 1

// Names of the exports an SDK module provides (see the package documentation).
const (
	ExportVersion    = "rpchost_abi_version"
	ExportAlloc      = "rpchost_alloc"
	ExportDescribe   = "rpchost_describe"
	ExportCall       = "rpchost_call"
	ExportInitialize = "_initialize"
)

// Result status codes: the first element of a Result array.
const (
	StatusOK    = 0
	StatusFault = 1
)

// Fault codes of the XML-RPC fault-code interoperability convention
// (http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php).
const (
	CodeParseError          = -32700
	CodeUnsupportedEncoding = -32701
	CodeInvalidCharacter    = -32702
	CodeInvalidRequest      = -32600
	CodeMethodNotFound      = -32601
	CodeInvalidParams       = -32602
	CodeInternalError       = -32603
	CodeApplicationError    = -32500
	CodeSystemError         = -32400
	CodeTransportError      = -32300
)

// Manifest describes the methods of an SDK module; rpchost_describe returns it.
type Manifest struct {
	ABI     int
	Methods []MethodDesc
}

// MethodDesc describes one method for introspection.
type MethodDesc struct {
	Name string
	Help string
	// Signatures lists XML-RPC type names, return type first; it may be empty.
	Signatures [][]string
}
