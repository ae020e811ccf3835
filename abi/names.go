package abi

import (
	"errors"
	"strconv"
	"strings"
)

// CheckMethodName returns nil when name may name a method: it is not empty,
// uses only A-Z a-z 0-9 _ . : / (the XML-RPC methodName charset) and does not
// start with "_" (names starting with "_" are private, as in Python's
// server). Both sides check it: the guest SDK at Register, the host when it
// reads a Manifest or a numeric module's exports.
func CheckMethodName(name string) error {
	if name == "" {
		return errors.New("method name is empty")
	}
	if len(name) > MaxMethodNameBytes {
		// Not quoted whole: the message goes back to the client, and a
		// name of megabytes would make an answer of megabytes.
		return errors.New("method name of " + strconv.Itoa(len(name)) + " bytes (starting " +
			strconv.Quote(name[:40]) + "); a method name is at most " + strconv.Itoa(MaxMethodNameBytes) + " bytes")
	}
	if name[0] == '_' {
		return errors.New("method name " + strconv.Quote(name) + ` starts with "_" (reserved for private names)`)
	}
	for i := 0; i < len(name); i++ {
		if !methodNameByte(name[i]) {
			r := []rune(name[i:])[0]
			return errors.New("method name " + strconv.Quote(name) + " has " + strconv.QuoteRune(r) +
				" at byte " + strconv.Itoa(i) + " (allowed: A-Z a-z 0-9 _ . : /)")
		}
	}
	return nil
}

// MaxMethodNameBytes is the longest method name a call may give. Every
// name served is shorter: a plugin's name (at most 64 bytes), a dot, and
// a method name it declares (at most MaxDeclaredMethodNameBytes).
const MaxMethodNameBytes = 512

// MaxDeclaredMethodNameBytes is the longest method name a plugin may
// declare (CheckDeclaredMethodName).
const MaxDeclaredMethodNameBytes = 256

// CheckDeclaredMethodName is CheckMethodName for a name a plugin declares
// (in its Manifest, or as a numeric module's export), which is also at
// most MaxDeclaredMethodNameBytes long, so that the name served, prefixed
// by the plugin's, can be called.
func CheckDeclaredMethodName(name string) error {
	if len(name) > MaxDeclaredMethodNameBytes {
		return errors.New("method name of " + strconv.Itoa(len(name)) + " bytes (starting " +
			strconv.Quote(name[:40]) + "); a plugin's method name is at most " + strconv.Itoa(MaxDeclaredMethodNameBytes) + " bytes")
	}
	return CheckMethodName(name)
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
		return errors.New("signature is empty: it needs at least the return type")
	}
	for _, t := range sig {
		if !IsTypeName(t) {
			return errors.New("signature [" + strings.Join(sig, " ") + "]: " + strconv.Quote(t) +
				" is not an XML-RPC type name (want one of " + strings.Join(TypeNames, ", ") + ")")
		}
	}
	return nil
}
