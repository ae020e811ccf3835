package guest

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

func TestSortByName(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 70; n++ {
		var s abi.Struct
		for _, i := range rng.Perm(n) {
			s = append(s, abi.Member{Name: "k" + strconv.Itoa(i), Value: i})
		}
		sortByName(s)
		if !slices.IsSortedFunc(s, func(a, b abi.Member) int { return strings.Compare(a.Name, b.Name) }) || len(s) != n {
			t.Fatalf("n=%d: not sorted: %v", n, s)
		}
		for _, m := range s {
			if m.Name != "k"+strconv.Itoa(m.Value.(int)) {
				t.Fatalf("n=%d: member %q lost its value %v", n, m.Name, m.Value)
			}
		}
	}
}
