package abi

import (
	"math"
	"strconv"
	"time"
)

// DecodeValue decodes one MessagePack value from the start of b and returns
// it with the bytes that follow it. It accepts exactly what the value set
// can hold: every int family (unsigned ones up to 2^63-1), float 32 and 64,
// str (valid UTF-8), bin, the timestamp extension (-1) in its 32-, 64- and
// 96-bit forms, arrays, and maps with unique str keys, nested at most
// MaxDepth deep. Anything else is an error wrapping ErrMalformed that names
// the offset, from the start of b, of what was wrong.
//
// b may come from an untrusted guest: the decoder never panics, never
// allocates more than the input could hold, and copies what it returns, so
// b may be overwritten afterwards. Times are returned in UTC.
func DecodeValue(b []byte) (v any, rest []byte, err error) {
	d := decoder{b: b}
	v, err = d.value(0)
	if err != nil {
		return nil, nil, err
	}
	return v, b[d.off:], nil
}

// decoder reads MessagePack from b; off is the next byte to read. Every
// error it returns is a *MalformedError.
type decoder struct {
	b   []byte
	off int
	// values counts the array elements and map members decoded so far;
	// maxValues, when positive, bounds them (see DecodeResultWithin).
	values, maxValues uint64
}

// fail returns the error for what starts at offset at. Reasons are put
// together with strconv rather than a formatter: the decoder is linked
// into every plugin, and the formatter would come with it.
func (d *decoder) fail(at int, reason string) error {
	return &MalformedError{Offset: at, Reason: reason}
}

func itoa(n int) string { return strconv.Itoa(n) }

func utoa(n uint64) string { return strconv.FormatUint(n, 10) }

func (d *decoder) remaining() int { return len(d.b) - d.off }

// need fails unless n more bytes are available for what starts at at.
func (d *decoder) need(at int, n uint64, what string) error {
	if n > uint64(d.remaining()) {
		return d.fail(at, what+" needs "+utoa(n)+" more bytes, only "+itoa(d.remaining())+" remain")
	}
	return nil
}

// be reads an n-byte big-endian unsigned integer (n is 1, 2, 4 or 8).
func (d *decoder) be(at, n int, what string) (uint64, error) {
	if err := d.need(at, uint64(n), what); err != nil {
		return 0, err
	}
	var u uint64
	for _, c := range d.b[d.off : d.off+n] {
		u = u<<8 | uint64(c)
	}
	d.off += n
	return u, nil
}

// lenSize is the size in bytes of the length that follows a format byte of
// a variable-length family (str, bin, array, map, ext).
func lenSize(c byte) int {
	switch c {
	case mpStr8, mpBin8, mpExt8:
		return 1
	case mpStr16, mpBin16, mpArray16, mpMap16, mpExt16:
		return 2
	default:
		return 4
	}
}

// formatName names the MessagePack family of format byte c, for messages.
func formatName(c byte) string {
	switch {
	case c <= 0x7f || c >= 0xe0:
		return "int"
	case c <= 0x8f:
		return "map"
	case c <= 0x9f:
		return "array"
	case c <= 0xbf:
		return "str"
	}
	switch c {
	case mpNil:
		return "nil"
	case mpFalse, mpTrue:
		return "bool"
	case mpBin8, mpBin16, mpBin32:
		return "bin"
	case mpExt8, mpExt16, mpExt32, mpFixExt1, mpFixExt2, mpFixExt4, mpFixExt8, mpFixExt16:
		return "ext"
	case mpFloat32, mpFloat64:
		return "float"
	case mpUint8, mpUint16, mpUint32, mpUint64, mpInt8, mpInt16, mpInt32, mpInt64:
		return "int"
	case mpStr8, mpStr16, mpStr32:
		return "str"
	case mpArray16, mpArray32:
		return "array"
	case mpMap16, mpMap32:
		return "map"
	default:
		const hex = "0123456789abcdef"
		return "the unused byte 0x" + string([]byte{hex[c>>4], hex[c&0xf]})
	}
}

// peek returns the next format byte without consuming it.
func (d *decoder) peek(what string) (byte, error) {
	if d.off >= len(d.b) {
		return 0, d.fail(d.off, "input ends where "+what+" should start")
	}
	return d.b[d.off], nil
}

// value decodes one value; depth is the number of containers around it.
func (d *decoder) value(depth int) (any, error) {
	c, err := d.peek("a value")
	if err != nil {
		return nil, err
	}
	at := d.off
	d.off++
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c <= 0x8f:
		return d.structBody(at, uint64(c&0x0f), depth)
	case c <= 0x9f:
		return d.arrayBody(at, uint64(c&0x0f), depth)
	case c <= 0xbf:
		return d.strBody(at, uint64(c&0x1f))
	}
	switch c {
	case mpNil:
		return nil, nil
	case mpFalse:
		return false, nil
	case mpTrue:
		return true, nil
	case mpUint8, mpUint16, mpUint32, mpUint64, mpInt8, mpInt16, mpInt32, mpInt64:
		n, err := d.intBody(at, c)
		if err != nil {
			return nil, err
		}
		return n, nil
	case mpFloat32:
		u, err := d.be(at, 4, "float 32")
		return float64(math.Float32frombits(uint32(u))), err
	case mpFloat64:
		u, err := d.be(at, 8, "float 64")
		return math.Float64frombits(u), err
	case mpStr8, mpStr16, mpStr32:
		n, err := d.be(at, lenSize(c), "str length")
		if err != nil {
			return nil, err
		}
		return d.strBody(at, n)
	case mpBin8, mpBin16, mpBin32:
		n, err := d.be(at, lenSize(c), "bin length")
		if err != nil {
			return nil, err
		}
		return d.binBody(at, n)
	case mpArray16, mpArray32:
		n, err := d.be(at, lenSize(c), "array length")
		if err != nil {
			return nil, err
		}
		return d.arrayBody(at, n, depth)
	case mpMap16, mpMap32:
		n, err := d.be(at, lenSize(c), "map length")
		if err != nil {
			return nil, err
		}
		return d.structBody(at, n, depth)
	case mpFixExt1, mpFixExt2, mpFixExt4, mpFixExt8, mpFixExt16:
		return d.extBody(at, c, 1<<(c-mpFixExt1))
	case mpExt8, mpExt16, mpExt32:
		n, err := d.be(at, lenSize(c), "ext length")
		if err != nil {
			return nil, err
		}
		return d.extBody(at, c, n)
	default: // 0xc1
		return nil, d.fail(at, "byte 0xc1 is never used in MessagePack")
	}
}

// isInt reports whether format byte c starts an integer.
func isInt(c byte) bool {
	return c <= 0x7f || c >= 0xe0 || c >= mpUint8 && c <= mpInt64
}

// intBody reads the integer whose format byte c, at offset at, was consumed.
func (d *decoder) intBody(at int, c byte) (int64, error) {
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c >= mpUint8 && c <= mpUint64:
		u, err := d.be(at, 1<<(c-mpUint8), "int")
		if err != nil {
			return 0, err
		}
		if u > math.MaxInt64 {
			return 0, d.fail(at, "integer "+utoa(u)+" does not fit in int64")
		}
		return int64(u), nil
	default: // mpInt8 ... mpInt64
		n := 1 << (c - mpInt8)
		u, err := d.be(at, n, "int")
		if err != nil {
			return 0, err
		}
		shift := 64 - 8*n // sign-extend from n bytes
		return int64(u<<shift) >> shift, nil
	}
}

// strBody reads the n bytes of a str whose header, at offset at, was
// consumed. Like every *Body method it checks n against the input first.
func (d *decoder) strBody(at int, n uint64) (string, error) {
	b, err := d.strBytes(at, n)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// strBytes is strBody without the copy: the str's bytes, within d.b.
func (d *decoder) strBytes(at int, n uint64) ([]byte, error) {
	if err := d.need(at, n, "str"); err != nil {
		return nil, err
	}
	b := d.b[d.off : d.off+int(n)]
	if !validBytes(b) {
		return nil, d.fail(at, "str is not valid UTF-8")
	}
	d.off += int(n)
	return b, nil
}

func (d *decoder) binBody(at int, n uint64) ([]byte, error) {
	if err := d.need(at, n, "bin"); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	copy(b, d.b[d.off:])
	d.off += int(n)
	return b, nil
}

// extBody reads an extension of n data bytes; only timestamps are valid,
// in their canonical containers (fixext 4, fixext 8, ext 8 of 12 bytes).
func (d *decoder) extBody(at int, c byte, n uint64) (any, error) {
	t, err := d.extTime(at, c, n)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// extTime is extBody returning the time unboxed, which costs no allocation.
func (d *decoder) extTime(at int, c byte, n uint64) (time.Time, error) {
	var none time.Time
	typ, err := d.be(at, 1, "ext type")
	if err != nil {
		return none, err
	}
	if int8(typ) != extTimestamp {
		return none, d.fail(at, "extension type "+itoa(int(int8(typ)))+" is not supported (only the timestamp, -1)")
	}
	switch {
	case n == 4 && c == mpFixExt4:
		sec, err := d.be(at, 4, "timestamp 32")
		if err != nil {
			return none, err
		}
		return time.Unix(int64(sec), 0).UTC(), nil
	case n == 8 && c == mpFixExt8:
		u, err := d.be(at, 8, "timestamp 64")
		if err != nil {
			return none, err
		}
		nsec := u >> 34
		if nsec >= 1e9 {
			return none, d.fail(at, "timestamp has "+utoa(nsec)+" nanoseconds, want fewer than 1e9")
		}
		return time.Unix(int64(u&(1<<34-1)), int64(nsec)).UTC(), nil
	case n == 12 && c == mpExt8:
		nsec, err := d.be(at, 4, "timestamp 96")
		if err != nil {
			return none, err
		}
		sec, err := d.be(at, 8, "timestamp 96")
		if err != nil {
			return none, err
		}
		if nsec >= 1e9 {
			return none, d.fail(at, "timestamp has "+utoa(nsec)+" nanoseconds, want fewer than 1e9")
		}
		return time.Unix(int64(sec), int64(nsec)).UTC(), nil
	default:
		return none, d.fail(at, "timestamp of "+utoa(n)+" bytes in "+extContainer(c)+
			", want fixext 4, fixext 8 or ext 8 of 12 bytes")
	}
}

func extContainer(c byte) string {
	switch c {
	case mpExt8, mpExt16, mpExt32:
		return "ext " + itoa(8*lenSize(c))
	default:
		return "fixext " + itoa(1<<(c-mpFixExt1))
	}
}

// count adds n elements or members, failing with ErrTooManyValues past
// maxValues, before anything is allocated for them.
func (d *decoder) count(n uint64) error {
	d.values += n
	if d.maxValues > 0 && d.values > d.maxValues {
		return ErrTooManyValues
	}
	return nil
}

func (d *decoder) enter(at, depth int) error {
	if depth >= MaxDepth {
		return d.fail(at, "arrays and structs nest deeper than "+itoa(MaxDepth))
	}
	return nil
}

func (d *decoder) arrayBody(at int, n uint64, depth int) ([]any, error) {
	if err := d.enter(at, depth); err != nil {
		return nil, err
	}
	// Every element takes at least one byte: refuse a claim the input
	// cannot back before allocating for it.
	if n > uint64(d.remaining()) {
		return nil, d.fail(at, "array claims "+utoa(n)+" elements but only "+itoa(d.remaining())+" bytes remain")
	}
	if err := d.count(n); err != nil {
		return nil, err
	}
	a := make([]any, n)
	for i := range a {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a[i] = v
	}
	return a, nil
}

func (d *decoder) structBody(at int, n uint64, depth int) (Struct, error) {
	if err := d.enter(at, depth); err != nil {
		return nil, err
	}
	// Every member takes at least two bytes (a key and a value).
	if n > uint64(d.remaining()/2) {
		return nil, d.fail(at, "map claims "+utoa(n)+" members but only "+itoa(d.remaining())+" bytes remain")
	}
	if err := d.count(n); err != nil {
		return nil, err
	}
	s := make(Struct, n)
	var seen map[string]struct{}
	if n > 16 {
		seen = make(map[string]struct{}, n)
	}
	for i := range s {
		keyAt := d.off
		name, err := d.str("map key")
		if err != nil {
			return nil, err
		}
		if seen != nil {
			if _, dup := seen[name]; dup {
				return nil, d.fail(keyAt, "map key "+strconv.Quote(name)+" appears twice")
			}
			seen[name] = struct{}{}
		} else {
			for j := 0; j < i; j++ {
				if s[j].Name == name {
					return nil, d.fail(keyAt, "map key "+strconv.Quote(name)+" appears twice")
				}
			}
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		s[i] = Member{Name: name, Value: v}
	}
	return s, nil
}

// str decodes a value that must be a str.
func (d *decoder) str(what string) (string, error) {
	b, err := d.strKey(what)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// arrayLen decodes an array header, for messages whose shape is an array.
func (d *decoder) arrayLen(what string) (int, error) {
	c, err := d.peek(what)
	if err != nil {
		return 0, err
	}
	at := d.off
	switch {
	case c >= mpFixArray && c <= 0x9f:
		d.off++
		return int(c & 0x0f), nil
	case c == mpArray16 || c == mpArray32:
		d.off++
		n, err := d.be(at, lenSize(c), "array length")
		if err != nil {
			return 0, err
		}
		if n > uint64(d.remaining()) {
			return 0, d.fail(at, "array claims "+utoa(n)+" elements but only "+itoa(d.remaining())+" bytes remain")
		}
		return int(n), nil
	default:
		return 0, d.fail(at, what+" is "+formatName(c)+", want array")
	}
}

// int decodes a value that must be an integer.
func (d *decoder) int(what string) (int64, error) {
	c, err := d.peek(what)
	if err != nil {
		return 0, err
	}
	if !isInt(c) {
		return 0, d.fail(d.off, what+" is "+formatName(c)+", want int")
	}
	at := d.off
	d.off++
	return d.intBody(at, c)
}

// end fails when bytes follow a complete top-level message.
func (d *decoder) end(what string) error {
	if n := d.remaining(); n > 0 {
		return d.fail(d.off, itoa(n)+" unexpected bytes after the "+what)
	}
	return nil
}
