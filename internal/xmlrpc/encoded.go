package xmlrpc

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/wire"
)

// A guest reads its params as MessagePack. Parsed into Go values first, an
// array of 500 structs costs thousands of allocations (a string, a boxed
// number or time per member, a slice per struct) only to be encoded again
// at once; transcoded while parsing, it costs one growing buffer. The
// grammar, checks and limits are the same code either way (array,
// structure and member branch only where a value is made).

// ParseRequestEncoded is ParseRequest for a call that goes to a guest:
// every array or struct param comes as an abi.Encoded, its MessagePack
// encoding, written while parsing with no Go value per element; other
// params are Go values, as ParseRequest returns them. It accepts and
// refuses exactly what ParseRequest does, with the same errors. Arrays and
// maps are written with 16-bit length headers whatever their length (32-bit
// past 65,535 elements), since a count is known only at the end; a guest
// reads every length form. lim.MaxDepth must not exceed abi.MaxDepth (what
// a guest accepts): use ParseRequest otherwise.
func ParseRequestEncoded(body []byte, lim Limits) (Request, error) {
	req, err := parseRequest(body, lim, true)
	if errors.Is(err, errValueFirst) {
		return parseRequest(body, lim, false)
	}
	return req, err
}

// errValueFirst stops an encoding parse at a struct member whose <value>
// comes before its <name>, which XML-RPC allows and no client seen writes.
// MessagePack puts a key before its value: moving the value's bytes behind
// the name once per enclosing member would cost nesting × body size (a
// 16 MB body nested 64 deep: 2 s of CPU, found by the red team), so the
// document is parsed again into Go values instead, at most twice the work
// of one parse.
var errValueFirst = errors.New("xmlrpc: a member's value before its name")

// encoded writes the array or struct t into d.enc with write. At the top
// (a param) it returns the bytes written as an abi.Encoded; inside another
// array or struct, nothing, the bytes being part of the enclosing one.
func (d *decoder) encoded(t tag, write func(t tag) error) (any, error) {
	if d.inEncoded {
		return nil, write(t)
	}
	if d.enc == nil {
		// MessagePack takes about a quarter of the XML's bytes: one
		// allocation for most requests instead of a dozen as it grows.
		d.enc = make([]byte, 0, len(d.buf)/4)
	}
	start := len(d.enc)
	d.inEncoded = true
	err := write(t)
	d.inEncoded = false
	if err != nil {
		return nil, err
	}
	// Capped, so that no later append can write into it.
	return abi.Encoded(d.enc[start:len(d.enc):len(d.enc)]), nil
}

func (d *decoder) encodeArray(t tag) error {
	at := len(d.enc)
	d.enc = append(d.enc, wire.Array16, 0, 0)
	n := 0
	err := d.arrayElems(t, func(v tag) error {
		n++
		_, err := d.value(v) // written into d.enc
		return err
	})
	if err != nil {
		return err
	}
	d.patchLen(at, n, wire.Array32)
	return nil
}

func (d *decoder) encodeStruct(t tag) error {
	at := len(d.enc)
	d.enc = append(d.enc, wire.Map16, 0, 0)
	n := 0
	err := d.structMembers(t, func(m tag) (string, error) {
		n++
		member, err := d.member(m) // written into d.enc, name first
		return member.Name, err
	})
	if err != nil {
		return err
	}
	d.patchLen(at, n, wire.Map32)
	return nil
}

// patchLen fills in the 16-bit length header written at at, or turns it
// into the 32-bit form (code32) past 65,535 elements, moving the body once.
func (d *decoder) patchLen(at, n int, code32 byte) {
	if n <= math.MaxUint16 {
		binary.BigEndian.PutUint16(d.enc[at+1:], uint16(n))
		return
	}
	d.enc = append(d.enc, 0, 0)
	copy(d.enc[at+5:], d.enc[at+3:len(d.enc)-2])
	d.enc[at] = code32
	binary.BigEndian.PutUint32(d.enc[at+1:], uint32(n)) // n <= MaxItems, far below 2^32
}

// str is the value of a string, or nothing when it is written into d.enc.
func (d *decoder) str(text []byte) any {
	if d.inEncoded {
		d.enc = appendStr(d.enc, text)
		return nil
	}
	return string(text)
}

// encodeScalar writes the scalar of type typ whose element is t and text
// is text, with the same checks as typed.
func (d *decoder) encodeScalar(t tag, typ scalarType, text []byte) error {
	switch typ {
	case stringType:
		d.enc = appendStr(d.enc, text)
	case intType:
		v, err := d.parseInt(t, text, 64)
		if err != nil {
			return err
		}
		d.enc = wire.AppendInt(d.enc, v)
	case booleanType:
		v, err := d.parseBool(t, text)
		if err != nil {
			return err
		}
		d.enc = append(d.enc, mpBool(v))
	case doubleType:
		v, err := d.parseDouble(t, text)
		if err != nil {
			return err
		}
		d.enc = wire.AppendFloat(d.enc, v)
	case dateTimeType:
		v, err := d.parseDateTime(t, text)
		if err != nil {
			return err
		}
		d.enc = wire.AppendTime(d.enc, v)
	case base64Type:
		v, err := d.parseBase64(t, text)
		if err != nil {
			return err
		}
		d.enc, _ = wire.AppendBinHeader(d.enc, len(v)) // shorter than the body, so below 2^32
		d.enc = append(d.enc, v...)
	case nilType:
		if err := d.checkNil(t, text); err != nil {
			return err
		}
		d.enc = append(d.enc, 0xc0)
	default:
		return d.unknownType(t)
	}
	return nil
}

// appendStr appends s as a MessagePack str. The scanner has checked that
// it is UTF-8, and it is shorter than the body, so below 2^32 bytes.
func appendStr(dst, s []byte) []byte {
	dst, _ = wire.AppendStrHeader(dst, len(s))
	return append(dst, s...)
}

func mpBool(v bool) byte {
	if v {
		return 0xc3
	}
	return 0xc2
}
