package abi

import (
	"time"

	"github.com/rpchost/rpchost/abi/internal/smallfmt"
)

// A value crossing rpchost's boundaries (XML-RPC on one side, MessagePack on
// the other) is an `any` holding exactly one of:
//
//	nil, bool, int64, float64, string, []byte, time.Time, []any, Struct
//
// Keeping one closed set of plain Go types lets the XML codec, the MessagePack
// codec and the guest SDK agree without reflection.

// Struct is an XML-RPC struct. It is a slice rather than a map because real
// clients care about member order and a slice costs no hashing per member.
type Struct []Member

// Member is one named member of a Struct.
type Member struct {
	Name  string
	Value any
}

// Get returns the value of the member called name.
func (s Struct) Get(name string) (any, bool) {
	for i := range s {
		if s[i].Name == name {
			return s[i].Value, true
		}
	}
	return nil, false
}

// TypeName names the XML-RPC type of v as introspection reports it
// ("int", "i8", "boolean", "string", "double", "dateTime.iso8601", "base64",
// "array", "struct", "nil"), or a Go type description for a value outside
// the set, so that messages about wrong arguments can say what was given.
func TypeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case bool:
		return "boolean"
	case int64:
		if x < -1<<31 || x > 1<<31-1 {
			return "i8"
		}
		return "int"
	case float64:
		return "double"
	case string:
		return "string"
	case []byte:
		return "base64"
	case []any:
		return "array"
	case Struct:
		return "struct"
	case time.Time:
		return "dateTime.iso8601"
	case Encoded:
		return x.typeName()
	default:
		return smallfmt.TypeName(v) // as %T prints it
	}
}
