// Package jsonrpc is rpchost's JSON-RPC wire codec: it turns a request
// body (one request or a batch) into calls on values of the [abi] value
// set, and results and faults back into response bodies. Like
// internal/xmlrpc it knows nothing about methods, plugins or HTTP, so it
// can be fuzzed without a server and dispatch stays in one place.
//
// It speaks JSON-RPC 2.0 (https://www.jsonrpc.org/specification) and the
// 1.0/1.1 dialect web2py and its clients use: a request without
// "jsonrpc": "2.0" is answered in kind (see [Version]).
//
// Values map to the abi set as README's "JSON-RPC" table says:
//
//	JSON                          abi (Go)
//	null                          nil
//	true, false                   bool
//	number without . e E          int64 (exact over the whole 64-bit range; beyond it: -32602)
//	number with . e or E          float64 (results always written with . or e, so they come back floats)
//	string                        string
//	array                         []any
//	object                        abi.Struct, members in the order written
//	{"__base64__": "..."}         []byte (standard base64, padding optional on input)
//	{"__datetime__": "..."}       time.Time (RFC 3339 out, in UTC; in: RFC 3339 or XML-RPC's forms)
//
// The decoder streams tokens (encoding/json's Decoder with UseNumber),
// building only the values it returns, and bounds nesting, the number of
// values and the number of requests in a batch as it goes ([Limits]).
//
// Every decoding error wraps one of the sentinel errors, each of which
// has a JSON-RPC error code, so the server answers with errors.Is.
package jsonrpc
