package abi

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi/wire"
)

// MaxDepth is how deeply arrays and structs may nest inside one value (a
// param, a result): [[1]] nests 2 deep. The encoders refuse deeper values
// (which also stops a []any that contains itself) and the decoders reject
// them, so that a hostile guest cannot exhaust the host's stack. Envelopes
// (the Call and Result arrays, the params array) do not count.
const MaxDepth = 128

// MessagePack format bytes (https://github.com/msgpack/msgpack/blob/master/spec.md).
const (
	mpNil      = 0xc0
	mpFalse    = 0xc2
	mpTrue     = 0xc3
	mpBin8     = 0xc4
	mpBin16    = 0xc5
	mpBin32    = 0xc6
	mpExt8     = 0xc7
	mpExt16    = 0xc8
	mpExt32    = 0xc9
	mpFloat32  = 0xca
	mpFloat64  = 0xcb
	mpUint8    = 0xcc
	mpUint16   = 0xcd
	mpUint32   = 0xce
	mpUint64   = 0xcf
	mpInt8     = 0xd0
	mpInt16    = 0xd1
	mpInt32    = 0xd2
	mpInt64    = 0xd3
	mpFixExt1  = 0xd4
	mpFixExt2  = 0xd5
	mpFixExt4  = 0xd6
	mpFixExt8  = 0xd7
	mpFixExt16 = 0xd8
	mpStr8     = 0xd9
	mpStr16    = 0xda
	mpStr32    = 0xdb
	mpArray16  = 0xdc
	mpArray32  = 0xdd
	mpMap16    = 0xde
	mpMap32    = 0xdf

	mpFixMap   = 0x80 // 0x80-0x8f
	mpFixArray = 0x90 // 0x90-0x9f
	mpFixStr   = 0xa0 // 0xa0-0xbf

	// extTimestamp is the extension type MessagePack reserves for timestamps.
	extTimestamp = -1
)

// EncodeError says why a value could not be encoded and where inside it.
type EncodeError struct {
	// Path locates the offending value inside the one given to the encoder,
	// e.g. `[2].name` for member "name" of the third element; "" for the
	// value itself.
	Path string
	// Reason says what was wrong.
	Reason string
}

func (e *EncodeError) Error() string {
	if e.Path == "" {
		return "abi: cannot encode value: " + e.Reason
	}
	return "abi: cannot encode value at " + e.Path + ": " + e.Reason
}

// within prefixes the path of an encode error raised inside a container. It
// runs only on the failure path, so successful encoding pays nothing for it.
func within(err error, step string) error {
	if e, ok := err.(*EncodeError); ok {
		e.Path = step + e.Path
	}
	return err
}

// AppendValue appends the MessagePack encoding of v to dst. v must be in the
// value set (nil, bool, int64, float64, string, []byte, time.Time, []any,
// Struct, nested at most MaxDepth deep); strings and member names must be
// valid UTF-8 and member names must be unique within a struct. Integers take
// their shortest form, floats are always float 64, times take the shortest
// timestamp form that holds them.
//
// On error, dst is returned extended by a partial encoding; callers that
// retry should truncate it to its original length.
//
// An [Encoded] value is appended as it is, unchecked.
func AppendValue(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0)
}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, mpNil), nil
	case bool:
		if x {
			return append(dst, mpTrue), nil
		}
		return append(dst, mpFalse), nil
	case int64:
		return appendInt(dst, x), nil
	case float64:
		return appendFloat(dst, x), nil
	case string:
		return appendString(dst, x)
	case []byte:
		return appendBin(dst, x)
	case time.Time:
		return appendTime(dst, x), nil
	case []any:
		return appendArray(dst, x, depth)
	case Struct:
		return appendStruct(dst, x, depth)
	case Encoded:
		return append(dst, x...), nil
	default:
		return dst, &EncodeError{Reason: "Go type " + TypeName(v) + " is not in the value set " +
			"(nil, bool, int64, float64, string, []byte, time.Time, []any, abi.Struct)"}
	}
}

// The primitives live in package wire, which the guest SDK's result
// Writer shares.
func appendInt(dst []byte, n int64) []byte { return wire.AppendInt(dst, n) }

func appendFloat(dst []byte, f float64) []byte { return wire.AppendFloat(dst, f) }

// appendLen appends a length header: the fix form when n < fixMax, else the
// 8-bit form (if code8 is not 0), the 16-bit form or the 32-bit form.
func appendLen(dst []byte, n int, fix byte, fixMax int, code8, code16, code32 byte) ([]byte, error) {
	dst, ok := wire.AppendLen(dst, n, fix, fixMax, code8, code16, code32)
	if !ok {
		return dst, &EncodeError{Reason: "length " + strconv.Itoa(n) + " exceeds 2^32-1"}
	}
	return dst, nil
}

func appendString(dst []byte, s string) ([]byte, error) {
	if !validString(s) {
		return dst, &EncodeError{Reason: "string is not valid UTF-8"}
	}
	dst, err := appendLen(dst, len(s), mpFixStr, 32, mpStr8, mpStr16, mpStr32)
	if err != nil {
		return dst, err
	}
	return append(dst, s...), nil
}

func appendBin(dst []byte, b []byte) ([]byte, error) {
	// bin has no fix form; fixMax 0 never matches.
	dst, err := appendLen(dst, len(b), 0, 0, mpBin8, mpBin16, mpBin32)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

func appendTime(dst []byte, t time.Time) []byte { return wire.AppendTime(dst, t) }

func appendArray(dst []byte, a []any, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return dst, &EncodeError{Reason: "arrays and structs nest deeper than " + strconv.Itoa(MaxDepth)}
	}
	dst, err := appendLen(dst, len(a), mpFixArray, 16, 0, mpArray16, mpArray32)
	if err != nil {
		return dst, err
	}
	for i, e := range a {
		if dst, err = appendValue(dst, e, depth+1); err != nil {
			return dst, within(err, "["+strconv.Itoa(i)+"]")
		}
	}
	return dst, nil
}

func appendStruct(dst []byte, s Struct, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return dst, &EncodeError{Reason: "arrays and structs nest deeper than " + strconv.Itoa(MaxDepth)}
	}
	if name, dup := duplicateName(s); dup {
		return dst, &EncodeError{Reason: "struct member " + strconv.Quote(name) + " appears twice"}
	}
	dst, err := appendLen(dst, len(s), mpFixMap, 16, 0, mpMap16, mpMap32)
	if err != nil {
		return dst, err
	}
	for i := range s {
		m := &s[i]
		if dst, err = appendString(dst, m.Name); err != nil {
			return dst, within(err, memberStep(m.Name))
		}
		if dst, err = appendValue(dst, m.Value, depth+1); err != nil {
			return dst, within(err, memberStep(m.Name))
		}
	}
	return dst, nil
}

// memberStep renders a member name as a path step (see wire.MemberStep).
func memberStep(name string) string { return wire.MemberStep(name) }

// duplicateName reports a name that two members share. Small structs, the
// common case, are checked pairwise without allocating.
func duplicateName(s Struct) (string, bool) {
	if len(s) <= 16 {
		for i := 1; i < len(s); i++ {
			for j := 0; j < i; j++ {
				if s[i].Name == s[j].Name {
					return s[i].Name, true
				}
			}
		}
		return "", false
	}
	seen := make(map[string]struct{}, len(s))
	for i := range s {
		if _, ok := seen[s[i].Name]; ok {
			return s[i].Name, true
		}
		seen[s[i].Name] = struct{}{}
	}
	return "", false
}

// validString is utf8.ValidString with a byte loop for the short ASCII
// strings (names, words) that dominate messages, for which the library's
// word-at-a-time setup costs more than the check.
func validString(s string) bool {
	if len(s) > 32 {
		return utf8.ValidString(s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return utf8.ValidString(s[i:])
		}
	}
	return true
}

// validBytes is validString for a byte slice.
func validBytes(b []byte) bool {
	if len(b) > 32 {
		return utf8.Valid(b)
	}
	for i := 0; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return utf8.Valid(b[i:])
		}
	}
	return true
}
