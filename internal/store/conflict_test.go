package store

import (
	"errors"
	"strconv"
	"sync"
	"testing"
)

func testConflicts(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	mustApply(t, s, "a", put("k", "1"))

	stale := []Read{ReadOf("k", []byte("0"))}
	if err := s.ApplyIf(bg(), "a", stale, []Write{put("x", "y")}); !errors.Is(err, ErrConflict) {
		t.Fatalf("ApplyIf with a stale read: %v, want ErrConflict", err)
	}
	if _, found := mustGet(t, s, "a", "x"); found {
		t.Error("a conflicting batch was written")
	}
	absent := []Read{{Key: "k"}}
	if err := s.ApplyIf(bg(), "a", absent, []Write{put("x", "y")}); !errors.Is(err, ErrConflict) {
		t.Errorf("ApplyIf expecting k absent: %v, want ErrConflict", err)
	}
	current := []Read{ReadOf("k", []byte("1")), ReadOf("missing", nil)}
	if err := s.ApplyIf(bg(), "a", current, []Write{put("x", "y")}); err != nil {
		t.Errorf("ApplyIf with current reads: %v", err)
	}
	other := []Read{{Key: "k"}} // "k" is absent in namespace b
	if err := s.ApplyIf(bg(), "b", other, []Write{put("x", "y")}); err != nil {
		t.Errorf("reads are per namespace: %v", err)
	}
}

// Counters incremented through Txns from many goroutines lose nothing:
// a conflicting commit is retried, as the host retries a call.
func testConcurrentIncrements(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	var retries sync.Map
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				for attempt := 0; ; attempt++ {
					txn := NewTxn(s, "ns", Limits{})
					v, _, err := txn.Get(bg(), "n")
					if err != nil {
						t.Error(err)
						return
					}
					n, _ := strconv.Atoi(string(v))
					if err := txn.Put("n", []byte(strconv.Itoa(n+1))); err != nil {
						t.Error(err)
						return
					}
					err = txn.Commit(bg())
					if errors.Is(err, ErrConflict) {
						retries.Store(w*1000+i, attempt+1)
						txn.Discard()
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					break
				}
			}
		}(w)
	}
	wg.Wait()
	v, _ := mustGet(t, s, "ns", "n")
	if got := string(v); got != strconv.Itoa(workers*each) {
		t.Errorf("counter = %s after %d increments, want %d", got, workers*each, workers*each)
	}
}
