package xmlrpc

import (
	"strings"
	"testing"
)

func TestNameCache(t *testing.T) {
	var c nameCache
	for _, s := range []string{"", "a", "moe", "larry", "curly", "moe", strings.Repeat("x", 100), "a"} {
		if got := c.get([]byte(s)); got != s {
			t.Errorf("get(%q) = %q", s, got)
		}
	}
	c.get([]byte("faultCode"))
	if n := testing.AllocsPerRun(100, func() { c.get([]byte("faultCode")) }); n != 0 {
		t.Errorf("a hit allocates %v times", n)
	}
}
