package store

import (
	"errors"
	"strings"
	"testing"
)

// Txn.GetMany answers as Get would for each key, and remembers its reads
// for the commit's conflict check.
func testTxnGetMany(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	mustApply(t, s, "a", put("a", "1"), put("e", ""), put("c", "3"))
	txn := NewTxn(s, "a", Limits{})
	defer txn.Discard()
	if err := txn.Put("w", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Delete("a"); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a", "missing", "e", "w", "c", "c"}
	values, found, err := txn.GetMany(bg(), keys, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		v     string
		found bool
	}{{"", false}, {"", false}, {"", true}, {"x", true}, {"3", true}, {"3", true}}
	for i, w := range want {
		if found[i] != w.found || string(values[i]) != w.v || w.found && values[i] == nil {
			t.Errorf("%s: %q, %v; want %q, %v", keys[i], values[i], found[i], w.v, w.found)
		}
	}
	values[4][0] = 'X'
	if string(values[5]) != "3" {
		t.Error("a key asked twice shares one slice")
	}
	// c was read: another call changing it makes this one conflict.
	mustApply(t, s, "a", put("c", "changed"))
	if err := txn.Commit(bg()); !errors.Is(err, ErrConflict) {
		t.Errorf("Commit after a key read by GetMany changed: %v, want ErrConflict", err)
	}

	bounded := NewTxn(s, "a", Limits{})
	defer bounded.Discard()
	mustApply(t, s, "a", put("big1", strings.Repeat("v", 100)), put("big2", strings.Repeat("v", 100)))
	if _, _, err := bounded.GetMany(bg(), []string{"big1", "missing", "big2"}, 150); !errors.Is(err, ErrScanTooLarge) {
		t.Errorf("values over the bound: %v, want ErrScanTooLarge", err)
	}
	if _, found, err := bounded.GetMany(bg(), []string{"big1", "missing"}, 150); err != nil || !found[0] {
		t.Errorf("values within the bound: %v, %v", found, err)
	}

	// One key asked many times, or a large value the call wrote, counts
	// every time it is answered: the answer is bounded, not only the reads.
	many := make([]string, 1000)
	for i := range many {
		many[i] = "big1"
	}
	if _, _, err := bounded.GetMany(bg(), many, 10_000); !errors.Is(err, ErrScanTooLarge) {
		t.Errorf("one 104-byte pair asked 1,000 times within 10,000 bytes: %v, want ErrScanTooLarge", err)
	}
	if err := bounded.Put("mine", []byte(strings.Repeat("w", 100))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bounded.GetMany(bg(), []string{"mine", "mine"}, 150); !errors.Is(err, ErrScanTooLarge) {
		t.Errorf("the call's own 104-byte write asked twice within 150 bytes: %v, want ErrScanTooLarge", err)
	}

	small := NewTxn(s, "a", Limits{MaxKeyBytes: 10, MaxValueBytes: 10, MaxTxnBytes: 100})
	defer small.Discard()
	if _, _, err := small.GetMany(bg(), []string{"k1", "k2", "k3"}, 1<<20); !errors.Is(err, ErrTxnTooLarge) {
		t.Errorf("reads over MaxTxnBytes: %v, want ErrTxnTooLarge", err)
	}
	if _, _, err := small.GetMany(bg(), []string{"ok", strings.Repeat("k", 11)}, 1<<20); !errors.Is(err, ErrKeyTooLarge) {
		t.Errorf("a key over MaxKeyBytes: %v, want ErrKeyTooLarge", err)
	}
}
