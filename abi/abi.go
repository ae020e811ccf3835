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

// HostModule is the import module of the host capabilities.
const HostModule = "rpchost"

// HostNotFound is a host capability's answer for "no such key"; answers
// at or below HostFailed are failures (see the package documentation).
const (
	HostNotFound = -1
	HostFailed   = -2
)

// HostGrant returns the grant that allows the host capability name ("" for
// result_read, which every importer of a capability needs), and false when
// ABI v1 has no such capability.
func HostGrant(name string) (grant string, ok bool) {
	switch name {
	case "log":
		return "log", true
	case "kv_get", "kv_put", "kv_delete", "kv_scan", "kv_get_many", "kv_write":
		return "kv", true
	case "config_get":
		return "config", true
	case "time_now":
		return "time", true
	case "result_read":
		return "", true
	}
	return "", false
}

// DefaultGrants lists every grant; a plugin has them all unless its
// configuration says otherwise.
func DefaultGrants() []string { return []string{"log", "kv", "config", "time"} }
