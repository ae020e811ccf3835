// Package wire holds the MessagePack encoding primitives that package abi's
// encoder and the guest SDK's result Writer share, so that both write every
// int, time and length header in exactly one way: the shortest form.
package wire

import (
	"math"
	"time"
)

// Format bytes used here (https://github.com/msgpack/msgpack/blob/master/spec.md).
const (
	Float64  = 0xcb
	Uint8    = 0xcc
	Uint16   = 0xcd
	Uint32   = 0xce
	Uint64   = 0xcf
	Int8     = 0xd0
	Int16    = 0xd1
	Int32    = 0xd2
	Int64    = 0xd3
	FixExt4  = 0xd6
	FixExt8  = 0xd7
	Ext8     = 0xc7
	FixArray = 0x90
	FixMap   = 0x80
	FixStr   = 0xa0
	Str8     = 0xd9
	Str16    = 0xda
	Str32    = 0xdb
	Bin8     = 0xc4
	Bin16    = 0xc5
	Bin32    = 0xc6
	Array16  = 0xdc
	Array32  = 0xdd
	Map16    = 0xde
	Map32    = 0xdf
)

// AppendInt appends n in its shortest form.
func AppendInt(dst []byte, n int64) []byte {
	switch {
	case n >= 0 && n <= math.MaxInt8:
		return append(dst, byte(n))
	case n >= -32 && n < 0:
		return append(dst, byte(n))
	case n >= 0:
		switch {
		case n <= math.MaxUint8:
			return append(dst, Uint8, byte(n))
		case n <= math.MaxUint16:
			return append(dst, Uint16, byte(n>>8), byte(n))
		case n <= math.MaxUint32:
			return append(dst, Uint32, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		default:
			return AppendBE64(append(dst, Uint64), uint64(n))
		}
	default:
		switch {
		case n >= math.MinInt8:
			return append(dst, Int8, byte(n))
		case n >= math.MinInt16:
			return append(dst, Int16, byte(n>>8), byte(n))
		case n >= math.MinInt32:
			return append(dst, Int32, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		default:
			return AppendBE64(append(dst, Int64), uint64(n))
		}
	}
}

// AppendBE64 appends u big-endian.
func AppendBE64(dst []byte, u uint64) []byte {
	return append(dst, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32),
		byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}

// AppendBE32 appends u big-endian.
func AppendBE32(dst []byte, u uint32) []byte {
	return append(dst, byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}

// AppendFloat appends f as a float 64, the only float form rpchost writes.
func AppendFloat(dst []byte, f float64) []byte {
	return AppendBE64(append(dst, Float64), math.Float64bits(f))
}

// AppendTime appends t as a MessagePack timestamp: 32-bit when it is a
// whole number of seconds in [1970, 2106), 64-bit when its seconds fit in
// 34 bits, 96-bit otherwise.
func AppendTime(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	nsec := uint64(t.Nanosecond())
	if uint64(sec)>>34 == 0 {
		if nsec == 0 && sec <= math.MaxUint32 {
			return AppendBE32(append(dst, FixExt4, 0xff), uint32(sec))
		}
		return AppendBE64(append(dst, FixExt8, 0xff), nsec<<34|uint64(sec))
	}
	dst = AppendBE32(append(dst, Ext8, 12, 0xff), uint32(nsec))
	return AppendBE64(dst, uint64(sec))
}

// AppendLen appends a length header: the fix form when n < fixMax, else
// the 8-bit form (if code8 is not 0), the 16-bit form or the 32-bit form.
// It reports false, appending nothing, when n exceeds 2^32-1.
func AppendLen(dst []byte, n int, fix byte, fixMax int, code8, code16, code32 byte) ([]byte, bool) {
	switch {
	case n < fixMax:
		return append(dst, fix|byte(n)), true
	case code8 != 0 && n <= math.MaxUint8:
		return append(dst, code8, byte(n)), true
	case n <= math.MaxUint16:
		return append(dst, code16, byte(n>>8), byte(n)), true
	case uint64(n) <= math.MaxUint32:
		return AppendBE32(append(dst, code32), uint32(n)), true
	default:
		return dst, false
	}
}

// AppendStrHeader, AppendBinHeader, AppendArrayHeader and AppendMapHeader
// append the header of a str, bin, array or map of n bytes or elements.
func AppendStrHeader(dst []byte, n int) ([]byte, bool) {
	return AppendLen(dst, n, FixStr, 32, Str8, Str16, Str32)
}

func AppendBinHeader(dst []byte, n int) ([]byte, bool) {
	return AppendLen(dst, n, 0, 0, Bin8, Bin16, Bin32) // bin has no fix form
}

func AppendArrayHeader(dst []byte, n int) ([]byte, bool) {
	return AppendLen(dst, n, FixArray, 16, 0, Array16, Array32)
}

func AppendMapHeader(dst []byte, n int) ([]byte, bool) {
	return AppendLen(dst, n, FixMap, 16, 0, Map16, Map32)
}
