package collect

import "testing"

func TestCollector(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 100} {
		var c List[int]
		for i := 0; i < n; i++ {
			c.Add(i)
			if len(c.SoFar()) != i+1 {
				t.Fatalf("n=%d: sofar has %d", n, len(c.SoFar()))
			}
		}
		got := c.Result()
		if got == nil || len(got) != n || cap(got) != n {
			t.Fatalf("n=%d: len %d cap %d nil %v", n, len(got), cap(got), got == nil)
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("n=%d: [%d] = %d", n, i, v)
			}
		}
	}
}

func TestCollectorSmallDoesNotAllocateTwice(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		var c List[any]
		for i := 0; i < 8; i++ {
			c.Add(nil)
		}
		_ = c.Result()
	})
	if allocs != 1 {
		t.Errorf("%v allocations, want 1", allocs)
	}
}
