package xmlrpc

import (
	"strings"
	"testing"
)

func TestEqualShort(t *testing.T) {
	const src = "abcdefghijklmnopqrstuvwxyz0123456789"
	for n := 0; n <= 20; n++ {
		a := []byte(src[:n])
		if !equalShort(a, src[:n]) || !equalShort(a, []byte(src[:n])) {
			t.Errorf("%q differs from itself", a)
		}
		if n > 0 && (equalShort(a, src[:n-1]) || equalShort(a[:n-1], src[:n])) {
			t.Errorf("%q equals a string of another length", a)
		}
		// Changing any one byte, wherever the word boundaries fall, is seen.
		for i := range n {
			b := []byte(src[:n])
			b[i] ^= 0x20
			if equalShort(a, string(b)) || equalShort(a, b) || equalShort(b, src[:n]) {
				t.Errorf("%q equals %q", a, b)
			}
		}
	}
	if !equalShort([]byte(strings.Repeat("é", 10)), strings.Repeat("é", 10)) {
		t.Error("non-ASCII")
	}
}

func TestLoad(t *testing.T) {
	s := "\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	if got := load64(s, 1); got != 0x0908070605040302 {
		t.Errorf("load64 = %#x", got)
	}
	if got := load64([]byte(s), 0); got != 0x0807060504030201 {
		t.Errorf("load64 = %#x", got)
	}
	if got := load32(s, 5); got != 0x09080706 {
		t.Errorf("load32 = %#x", got)
	}
	if got := load32([]byte(s), 0); got != 0x04030201 {
		t.Errorf("load32 = %#x", got)
	}
}
