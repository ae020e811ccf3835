package abi

// Encoded is one value of the value set already encoded as MessagePack, as
// a guest reads it. [AppendValue] and [AppendCall] copy it as it is: a front
// end that transcodes a request straight to MessagePack (the XML-RPC
// parser does, for arrays and structs) hands its params to a guest without
// building a Go value per element only for them to be encoded again.
//
// Whoever makes an Encoded vouches that it is exactly one well-formed value
// within the limits of this package (DecodeValue accepts it whole): nothing
// checks it again on its way to the guest. [Encoded.Decode] turns it into
// Go values for the code that needs them.
type Encoded []byte

// Decode returns the Go value e encodes.
func (e Encoded) Decode() (any, error) {
	v, rest, err := DecodeValue(e)
	if err == nil && len(rest) != 0 {
		return nil, &MalformedError{Offset: len(e) - len(rest), Reason: "bytes after the value"}
	}
	return v, err
}

// typeName is the XML-RPC type of e's value, from its first byte.
func (e Encoded) typeName() string {
	if len(e) == 0 {
		return "nothing"
	}
	switch c := e[0]; {
	case c <= 0x7f, c >= 0xe0, c >= 0xcc && c <= 0xd3:
		if v, _, err := DecodeValue(e); err == nil {
			return TypeName(v)
		}
		return "int"
	case c == mpNil:
		return "nil"
	case c == mpTrue, c == mpFalse:
		return "boolean"
	case c == 0xca, c == 0xcb:
		return "double"
	case c&0xe0 == 0xa0, c == 0xd9, c == 0xda, c == 0xdb:
		return "string"
	case c == 0xc4, c == 0xc5, c == 0xc6:
		return "base64"
	case c&0xf0 == 0x90, c == 0xdc, c == 0xdd:
		return "array"
	case c&0xf0 == 0x80, c == 0xde, c == 0xdf:
		return "struct"
	default:
		return "dateTime.iso8601"
	}
}
