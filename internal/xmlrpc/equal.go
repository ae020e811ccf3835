package xmlrpc

// equalShort compares element names. They are short: a name of 4 to 16
// bytes is compared as two words that overlap in the middle, as the
// runtime's memequal does, but without the call; shorter and longer ones
// byte by byte.
func equalShort[S string | []byte](a []byte, b S) bool {
	n := len(a)
	if n != len(b) {
		return false
	}
	switch {
	case n >= 8 && n <= 16:
		return load64(a, 0) == load64(b, 0) && load64(a, n-8) == load64(b, n-8)
	case n >= 4 && n < 8:
		return load32(a, 0) == load32(b, 0) && load32(a, n-4) == load32(b, n-4)
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// load64 reads the eight bytes of s at i as a little-endian word. The
// compiler turns the expression into one load, for strings too, which
// encoding/binary does not take.
func load64[S string | []byte](s S, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 reads the four bytes of s at i as a little-endian word.
func load32[S string | []byte](s S, i int) uint32 {
	s = s[i : i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
