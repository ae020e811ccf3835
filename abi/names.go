package abi

import (
	"fmt"
	"strings"
)

// CheckMethodName returns nil when name may name a method: it is not empty,
// uses only A-Z a-z 0-9 _ . : / (the XML-RPC methodName charset) and does not
// start with "_" (names starting with "_" are private, as in Python's
// server). Both sides check it: the guest SDK at Register, the host when it
// reads a Manifest or a numeric module's exports.
func CheckMethodName(name string) error {
	if name == "" {
		return fmt.Errorf("method name is empty")
	}
	if name[0] == '_' {
		return fmt.Errorf("method name %q starts with \"_\" (reserved for private names)", name)
	}
	for i := 0; i < len(name); i++ {
		if !methodNameByte(name[i]) {
			r := []rune(name[i:])[0]
			return fmt.Errorf("method name %q has %q at byte %d (allowed: A-Z a-z 0-9 _ . : /)", name, r, i)
		}
	}
	return nil
}

func methodNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == ':' || c == '/'
}

// TypeNames lists the XML-RPC type names a signature may use, as
// system.methodSignature reports them and TypeName returns them.
var TypeNames = []string{"int", "i8", "boolean", "string", "double",
	"dateTime.iso8601", "base64", "struct", "array", "nil"}

// IsTypeName reports whether s is one of TypeNames.
func IsTypeName(s string) bool {
	for _, t := range TypeNames {
		if s == t {
			return true
		}
	}
	return false
}

// CheckSignature returns nil when sig is a valid signature: a return type
// followed by zero or more param types, each one of TypeNames.
func CheckSignature(sig []string) error {
	if len(sig) == 0 {
		return fmt.Errorf("signature is empty: it needs at least the return type")
	}
	for _, t := range sig {
		if !IsTypeName(t) {
			return fmt.Errorf("signature %v: %q is not an XML-RPC type name (want one of %s)",
				sig, t, strings.Join(TypeNames, ", "))
		}
	}
	return nil
}
