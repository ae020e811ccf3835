package guest

import "testing"

func TestYielderCountsCalls(t *testing.T) {
	var y yielder
	for round := 0; round < 3; round++ {
		for i := 1; i < yieldCalls; i++ {
			if y.due(10) {
				t.Fatalf("round %d: yield after %d small calls", round, i)
			}
		}
		if !y.due(10) {
			t.Fatalf("round %d: no yield after %d calls", round, yieldCalls)
		}
	}
}

func TestYielderCountsBytes(t *testing.T) {
	var y yielder
	if y.due(yieldBytes / 2) {
		t.Fatal("yield after half the bytes")
	}
	if !y.due(yieldBytes / 2) {
		t.Fatal("no yield after yieldBytes")
	}
	if !y.due(10 * yieldBytes) {
		t.Fatal("no yield after one huge call")
	}
	if y.due(1) {
		t.Fatal("counts not reset after a yield")
	}
}
