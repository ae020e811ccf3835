package xmlrpc

import (
	"strconv"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

func TestDupFinder(t *testing.T) {
	for _, n := range []int{1, dupLinearMax - 1, dupLinearMax, dupLinearMax + 1, 100} {
		var f dupFinder
		var prev []abi.Member
		for i := 0; i < n; i++ {
			name := strconv.Itoa(i)
			if f.addMember(name, prev) {
				t.Fatalf("n=%d: %s reported as duplicate", n, name)
			}
			prev = append(prev, abi.Member{Name: name})
		}
		for _, i := range []int{0, n / 2, n - 1} {
			if !f.addMember(strconv.Itoa(i), prev) {
				t.Errorf("n=%d: duplicate %d missed", n, i)
			}
		}
		if f.addMember("new", prev) {
			t.Errorf("n=%d: new name reported as duplicate", n)
		}
	}
}
