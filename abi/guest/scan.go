package guest

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi"
)

// The typed API (RegisterTyped) reads params in place, from the bytes of
// the Call. Each param is checked once, in full, by check before the
// handler runs: it accepts exactly what abi.DecodeValue accepts (the fuzz
// test holds them to that), so that the accessors afterwards decode
// without bounds checks failing and a handler never sees a value the
// []any API would have refused.

// family is the kind of a MessagePack value, from its format byte.
type family uint8

const (
	famBad family = iota
	famNil
	famBool
	famInt
	famFloat
	famStr
	famBin
	famArray
	famMap
	famExt
)

// head reads the header of the value that starts b: its family, the size
// of the header and, for str, bin and ext, the length of the data that
// follows (ext's type byte is part of the header) or, for array and map,
// the number of elements or members. An int's or a float's header is the
// whole value. ok is false when b is empty, the format byte is 0xc1 or the
// header runs past b.
//
// The one-byte headers (fixint, fixmap, fixarray, fixstr) are most of
// what a call carries, and head ran 32 times per reading of
// records.ingest: in wasm every Go function call costs tens of
// nanoseconds, so the hottest callers read those through fixHead,
// inlined, and call headSlow for the rest.
func head(b []byte) (f family, hdr int, n uint64, ok bool) {
	if f, n, ok := fixHead(b); ok {
		return f, 1, n, true
	}
	return headSlow(b)
}

// fixHead is head for the one-byte headers only, small enough to be
// inlined into the hottest callers (check, checkMap, Members.Next),
// which call headSlow when ok is false.
func fixHead(b []byte) (f family, n uint64, ok bool) {
	if len(b) == 0 {
		return famBad, 0, false
	}
	t := oneByteHeads[b[0]]
	return t.f, uint64(b[0] & t.mask), t.f != famBad
}

// oneByteHead is what head needs of a one-byte header: its family and the
// bits of the byte that hold a fixmap's, fixarray's or fixstr's length.
type oneByteHead struct {
	f    family
	mask byte
}

// oneByteHeads is indexed by format byte; famBad marks the headers of
// more than one byte (and 0xc1).
var oneByteHeads = func() (t [256]oneByteHead) {
	for c := range 256 {
		switch {
		case c <= 0x7f || c >= 0xe0:
			t[c] = oneByteHead{famInt, 0}
		case c <= 0x8f:
			t[c] = oneByteHead{famMap, 0x0f}
		case c <= 0x9f:
			t[c] = oneByteHead{famArray, 0x0f}
		case c <= 0xbf:
			t[c] = oneByteHead{famStr, 0x1f}
		}
	}
	return t
}()

// headSlow is head for an empty b and the headers of more than one byte.
func headSlow(b []byte) (f family, hdr int, n uint64, ok bool) {
	if len(b) == 0 {
		return famBad, 0, 0, false
	}
	c := b[0]
	switch {
	case c <= 0x7f || c >= 0xe0:
		return famInt, 1, 0, true
	case c <= 0x8f:
		return famMap, 1, uint64(c & 0x0f), true
	case c <= 0x9f:
		return famArray, 1, uint64(c & 0x0f), true
	case c <= 0xbf:
		return famStr, 1, uint64(c & 0x1f), true
	}
	switch c {
	case 0xc0:
		return famNil, 1, 0, true
	case 0xc2, 0xc3:
		return famBool, 1, 0, true
	case 0xcc, 0xd0:
		f, hdr = famInt, 2
	case 0xcd, 0xd1:
		f, hdr = famInt, 3
	case 0xce, 0xd2:
		f, hdr = famInt, 5
	case 0xcf, 0xd3:
		f, hdr = famInt, 9
	case 0xca:
		f, hdr = famFloat, 5
	case 0xcb:
		f, hdr = famFloat, 9
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1 to 16: code, type
		return famExt, 2, 1 << (c - 0xd4), len(b) >= 2
	case 0xd9, 0xc4, 0xc7: // str 8, bin 8, ext 8
		f, n, hdr, ok = lenFamily(c), 0, 2, len(b) >= 2
		if ok {
			n = uint64(b[1])
		}
	case 0xda, 0xc5, 0xc8, 0xdc, 0xde: // 16-bit lengths
		f, hdr, ok = lenFamily(c), 3, len(b) >= 3
		if ok {
			n = uint64(b[1])<<8 | uint64(b[2])
		}
	case 0xdb, 0xc6, 0xc9, 0xdd, 0xdf: // 32-bit lengths
		f, hdr, ok = lenFamily(c), 5, len(b) >= 5
		if ok {
			n = uint64(b[1])<<24 | uint64(b[2])<<16 | uint64(b[3])<<8 | uint64(b[4])
		}
	default: // 0xc1
		return famBad, 1, 0, false
	}
	if f == famExt {
		hdr++ // the type byte
		ok = ok && len(b) >= hdr
	}
	if f == famInt || f == famFloat {
		ok = len(b) >= hdr
	}
	return f, hdr, n, ok
}

// lenFamily is the family of a format byte followed by a length.
func lenFamily(c byte) family {
	switch c {
	case 0xd9, 0xda, 0xdb:
		return famStr
	case 0xc4, 0xc5, 0xc6:
		return famBin
	case 0xc7, 0xc8, 0xc9:
		return famExt
	case 0xdc, 0xdd:
		return famArray
	default:
		return famMap
	}
}

// be reads b (1 to 8 bytes) as a big-endian unsigned integer.
func be(b []byte) uint64 {
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return u
}

// intAt decodes the int that starts b (checked).
func intAt(b []byte) int64 {
	c := b[0]
	switch {
	case c <= 0x7f:
		return int64(c)
	case c >= 0xe0:
		return int64(int8(c))
	case c >= 0xcc && c <= 0xcf:
		return int64(be(b[1 : 1+1<<(c-0xcc)]))
	default: // int 8 to int 64: sign-extend
		n := 1 << (c - 0xd0)
		shift := 64 - 8*n
		return int64(be(b[1:1+n])<<shift) >> shift
	}
}

// floatAt decodes the float that starts b (checked).
func floatAt(b []byte) float64 {
	if b[0] == 0xca {
		return float64(math.Float32frombits(uint32(be(b[1:5]))))
	}
	return math.Float64frombits(be(b[1:9]))
}

// stampAt decodes the timestamp whose data is d (4, 8 or 12 bytes,
// checked) into seconds and nanoseconds.
func stampAt(d []byte) (sec int64, nsec int64) {
	switch len(d) {
	case 4:
		return int64(be(d)), 0
	case 8:
		u := be(d)
		return int64(u & (1<<34 - 1)), int64(u >> 34)
	default:
		return int64(be(d[4:12])), int64(be(d[:4]))
	}
}

// check validates the value that starts b, nested depth containers deep,
// and returns its size. at is b's offset in the Call, for errors, which
// are *abi.MalformedError like the decoder's.
func check(b []byte, at, depth int) (int, error) {
	f, n, ok := fixHead(b)
	hdr := 1
	if !ok {
		f, hdr, n, ok = headSlow(b)
	}
	if !ok {
		if len(b) == 0 {
			return 0, malformed(at, "input ends where a value should start")
		}
		if b[0] == 0xc1 {
			return 0, malformed(at, "byte 0xc1 is never used in MessagePack")
		}
		return 0, malformed(at, "header runs past the end of the input")
	}
	switch f {
	case famNil, famBool, famFloat:
		return hdr, nil
	case famInt:
		if c := b[0]; c == 0xcf && b[1] >= 0x80 {
			return 0, malformed(at, "integer "+strconv.FormatUint(be(b[1:9]), 10)+" does not fit in int64")
		}
		return hdr, nil
	case famStr:
		return checkStr(b, at, hdr, n)
	case famBin:
		if n > uint64(len(b)-hdr) {
			return 0, malformed(at, "bin of "+strconv.FormatUint(n, 10)+" bytes runs past the end of the input")
		}
		return hdr + int(n), nil
	case famExt:
		return checkStamp(b, at, hdr, n)
	}
	// Array or map.
	if depth >= abi.MaxDepth {
		return 0, malformed(at, "arrays and structs nest deeper than "+strconv.Itoa(abi.MaxDepth))
	}
	per := uint64(1)
	if f == famMap {
		per = 2
	}
	if n > uint64(len(b)-hdr)/per { // each element takes a byte at least
		return 0, malformed(at, "array or map claims "+strconv.FormatUint(n, 10)+" elements but only "+
			strconv.Itoa(len(b)-hdr)+" bytes remain")
	}
	off := hdr
	if f == famArray {
		for range n {
			if off < len(b) {
				if size := int(plain[b[off]]); size > 0 && size <= len(b)-off {
					off += size // a scalar: nothing to check past its size
					continue
				}
			}
			size, err := check(b[off:], at+off, depth+1)
			if err != nil {
				return 0, err
			}
			off += size
		}
		return off, nil
	}
	return checkMap(b, at, hdr, n, depth)
}

// checkMap checks the n members of the map whose header, hdr bytes, starts
// b. Names of a small map are compared with those before them, kept in
// an array on the stack; a large map's go into a Go map.
func checkMap(b []byte, at, hdr int, n uint64, depth int) (int, error) {
	var names [16][]byte
	var seen map[string]struct{}
	if n > 16 {
		seen = make(map[string]struct{}, n)
	}
	off := hdr
	for i := range n {
		kf, kn, ok := fixHead(b[off:])
		khdr := 1
		if !ok {
			kf, khdr, kn, ok = headSlow(b[off:])
		}
		if !ok || kf != famStr {
			return 0, malformed(at+off, "map key is not a str")
		}
		size, err := checkStr(b[off:], at+off, khdr, kn)
		if err != nil {
			return 0, err
		}
		name := b[off+khdr : off+size]
		if seen != nil {
			if _, dup := seen[string(name)]; dup {
				return 0, malformed(at+off, "map key "+strconv.Quote(string(name))+" appears twice")
			}
			seen[string(name)] = struct{}{}
		} else {
			for _, earlier := range names[:i] {
				if string(earlier) == string(name) {
					return 0, malformed(at+off, "map key "+strconv.Quote(string(name))+" appears twice")
				}
			}
			names[i] = name
		}
		off += size
		if off < len(b) {
			if size := int(plain[b[off]]); size > 0 && size <= len(b)-off {
				off += size // a scalar value: nothing to check past its size
				continue
			}
		}
		size, err = check(b[off:], at+off, depth+1)
		if err != nil {
			return 0, err
		}
		off += size
	}
	return off, nil
}

// checkStr checks a str of n bytes after a header of hdr bytes: that it
// fits in b and is UTF-8. Short ASCII, the common case, is checked here
// rather than through utf8.Valid: a call costs more inside wasm.
func checkStr(b []byte, at, hdr int, n uint64) (int, error) {
	if n > uint64(len(b)-hdr) {
		return 0, malformed(at, "str of "+strconv.FormatUint(n, 10)+" bytes runs past the end of the input")
	}
	s := b[hdr : hdr+int(n)]
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			if !utf8.Valid(s[i:]) {
				return 0, malformed(at, "str is not valid UTF-8")
			}
			break
		}
	}
	return hdr + int(n), nil
}

// checkStamp accepts an extension only as a timestamp in its canonical
// containers, as abi.DecodeValue does.
func checkStamp(b []byte, at, hdr int, n uint64) (int, error) {
	if int8(b[hdr-1]) != -1 {
		return 0, malformed(at, "extension type "+strconv.Itoa(int(int8(b[hdr-1])))+" is not supported (only the timestamp, -1)")
	}
	c := b[0]
	if !(n == 4 && c == 0xd6 || n == 8 && c == 0xd7 || n == 12 && c == 0xc7) {
		return 0, malformed(at, "timestamp of "+strconv.FormatUint(n, 10)+
			" bytes in another container than fixext 4, fixext 8 or ext 8 of 12 bytes")
	}
	if uint64(len(b)-hdr) < n {
		return 0, malformed(at, "timestamp runs past the end of the input")
	}
	if _, nsec := stampAt(b[hdr : hdr+int(n)]); nsec >= 1e9 {
		return 0, malformed(at, "timestamp has "+strconv.FormatInt(nsec, 10)+" nanoseconds, want fewer than 1e9")
	}
	return hdr + int(n), nil
}

// sizes is, per format byte, the size of a value whose size the byte alone
// gives (ints, floats, nil, booleans, fixstr, fixext, empty fixarray and
// fixmap), or 0. A table lookup inlines where a call to skip would not,
// and inside wasm a Go function call costs tens of nanoseconds: this is
// what keeps an element's step cheap. plain is the same for the values
// check can pass over by size alone: nothing to validate in their bytes.
var sizes, plain = func() (sizes, plain [256]uint8) {
	for c := range 256 {
		var n int
		switch {
		case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3 || c == 0x80 || c == 0x90:
			n = 1
		case c >= 0xa0 && c <= 0xbf:
			n = 1 + c&0x1f
		case c >= 0xcc && c <= 0xd3:
			n = 1 + 1<<((c-0xcc)&3)
		case c == 0xca:
			n = 5
		case c == 0xcb:
			n = 9
		case c >= 0xd4 && c <= 0xd8:
			n = 2 + 1<<(c-0xd4)
		}
		sizes[c] = uint8(n)
		if c < 0xa0 || c > 0xbf && c < 0xd4 && c != 0xcf || c >= 0xe0 {
			plain[c] = uint8(n) // not a str (UTF-8), a uint 64 (range) or an ext (timestamp)
		}
	}
	return sizes, plain
}()

// skip returns the size of the value that starts b, which check accepted.
// It walks without recursion: remaining counts the values still to pass.
func skip(b []byte) int {
	off := 0
	for remaining := uint64(1); remaining > 0; remaining-- {
		if size := sizes[b[off]]; size != 0 {
			off += int(size) // a value of one piece: no header to read
			continue
		}
		f, hdr, n, _ := head(b[off:])
		off += hdr
		switch f {
		case famStr, famBin, famExt:
			off += int(n)
		case famArray:
			remaining += n
		case famMap:
			remaining += 2 * n
		}
	}
	return off
}
