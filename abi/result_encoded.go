package abi

import (
	"bytes"
	"strconv"
)

// A guest's array or struct result decoded into Go values costs an
// allocation per string, number, time and container (about 5,000 for a
// batch of 500 readings) only for the host to write them out again at
// once. DecodeResultEncoded checks such a result in place instead, with
// the decoder's own primitives and in the decoder's order, so that it
// accepts and refuses exactly what DecodeResultWithin does, with the same
// errors, and hands it on as one copy of its bytes.

// DecodeResultEncoded is DecodeResultWithin, except that a success whose
// value is an array or a map returns it as an [Encoded]: a copy of its
// bytes, checked in full as DecodeValue checks them (depth, UTF-8, unique
// keys, timestamps, integer range, maxValues) without building a Go value
// for it. Other values and faults are returned as DecodeResultWithin
// returns them; so are the errors, for the same bytes.
func DecodeResultEncoded(b []byte, maxValues int) (any, error) {
	d := decoder{b: b, maxValues: uint64(max(maxValues, 0))}
	n, err := d.arrayLen("Result")
	if err != nil {
		return nil, err
	}
	if n != 2 {
		return DecodeResultWithin(b, maxValues) // a fault, or malformed: as it always was
	}
	status, err := d.int("Result status")
	if err != nil || status != StatusOK {
		return DecodeResultWithin(b, maxValues) // a fault, or malformed
	}
	if d.off >= len(b) || !isContainer(b[d.off]) {
		// A scalar (add's int), as DecodeResultWithin decodes it, without
		// reading the header again.
		v, err := d.value(0)
		if err != nil {
			return nil, err
		}
		if err := d.end("Result"); err != nil {
			return nil, err
		}
		return v, nil
	}
	start := d.off
	if err := d.skip(0); err != nil {
		return nil, err
	}
	if err := d.end("Result"); err != nil {
		return nil, err
	}
	return Encoded(bytes.Clone(b[start:d.off])), nil
}

// isContainer reports whether format byte c starts an array or a map.
func isContainer(c byte) bool {
	return c&0xe0 == 0x80 || c == mpArray16 || c == mpArray32 || c == mpMap16 || c == mpMap32
}

// skip is value without the value: it moves past one value, checking it
// exactly as value does and failing with the same error where value would.
func (d *decoder) skip(depth int) error {
	c, err := d.peek("a value")
	if err != nil {
		return err
	}
	at := d.off
	d.off++
	switch {
	case c <= 0x7f, c >= 0xe0:
		return nil
	case c <= 0x8f:
		return d.skipStruct(at, uint64(c&0x0f), depth)
	case c <= 0x9f:
		return d.skipArray(at, uint64(c&0x0f), depth)
	case c <= 0xbf:
		_, err := d.strBytes(at, uint64(c&0x1f))
		return err
	}
	switch c {
	case mpNil, mpFalse, mpTrue:
		return nil
	case mpUint8, mpUint16, mpUint32, mpUint64, mpInt8, mpInt16, mpInt32, mpInt64:
		_, err := d.intBody(at, c)
		return err
	case mpFloat32:
		_, err := d.be(at, 4, "float 32")
		return err
	case mpFloat64:
		_, err := d.be(at, 8, "float 64")
		return err
	case mpStr8, mpStr16, mpStr32:
		n, err := d.be(at, lenSize(c), "str length")
		if err != nil {
			return err
		}
		_, err = d.strBytes(at, n)
		return err
	case mpBin8, mpBin16, mpBin32:
		n, err := d.be(at, lenSize(c), "bin length")
		if err != nil {
			return err
		}
		if err := d.need(at, n, "bin"); err != nil {
			return err
		}
		d.off += int(n)
		return nil
	case mpArray16, mpArray32:
		n, err := d.be(at, lenSize(c), "array length")
		if err != nil {
			return err
		}
		return d.skipArray(at, n, depth)
	case mpMap16, mpMap32:
		n, err := d.be(at, lenSize(c), "map length")
		if err != nil {
			return err
		}
		return d.skipStruct(at, n, depth)
	case mpFixExt1, mpFixExt2, mpFixExt4, mpFixExt8, mpFixExt16:
		_, err := d.extTime(at, c, 1<<(c-mpFixExt1))
		return err
	case mpExt8, mpExt16, mpExt32:
		n, err := d.be(at, lenSize(c), "ext length")
		if err != nil {
			return err
		}
		_, err = d.extTime(at, c, n)
		return err
	default: // 0xc1
		return d.fail(at, "byte 0xc1 is never used in MessagePack")
	}
}

func (d *decoder) skipArray(at int, n uint64, depth int) error {
	if err := d.enter(at, depth); err != nil {
		return err
	}
	if n > uint64(d.remaining()) {
		return d.fail(at, "array claims "+utoa(n)+" elements but only "+itoa(d.remaining())+" bytes remain")
	}
	if err := d.count(n); err != nil {
		return err
	}
	for range n {
		if err := d.skip(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

// skipStruct is structBody without the struct. Names are compared in
// place: with each other while there are few, through a set past 16
// members, as structBody does, so that a million members cost no more.
func (d *decoder) skipStruct(at int, n uint64, depth int) error {
	if err := d.enter(at, depth); err != nil {
		return err
	}
	if n > uint64(d.remaining()/2) {
		return d.fail(at, "map claims "+utoa(n)+" members but only "+itoa(d.remaining())+" bytes remain")
	}
	if err := d.count(n); err != nil {
		return err
	}
	var few [16][]byte
	var seen map[string]struct{}
	if n > 16 {
		seen = make(map[string]struct{}, n)
	}
	for i := range int(n) {
		keyAt := d.off
		name, err := d.strKey("map key")
		if err != nil {
			return err
		}
		if seen != nil {
			if _, dup := seen[string(name)]; dup {
				return d.fail(keyAt, "map key "+strconv.Quote(string(name))+" appears twice")
			}
			seen[string(name)] = struct{}{}
		} else {
			for j := 0; j < i; j++ {
				if bytes.Equal(few[j], name) {
					return d.fail(keyAt, "map key "+strconv.Quote(string(name))+" appears twice")
				}
			}
			few[i] = name
		}
		if err := d.skip(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

// strKey is str without the copy: the str's bytes, within d.b.
func (d *decoder) strKey(what string) ([]byte, error) {
	c, err := d.peek(what)
	if err != nil {
		return nil, err
	}
	at := d.off
	switch {
	case c >= mpFixStr && c <= 0xbf:
		d.off++
		return d.strBytes(at, uint64(c&0x1f))
	case c == mpStr8 || c == mpStr16 || c == mpStr32:
		d.off++
		n, err := d.be(at, lenSize(c), "str length")
		if err != nil {
			return nil, err
		}
		return d.strBytes(at, n)
	default:
		return nil, d.fail(at, what+" is "+formatName(c)+", want str")
	}
}
