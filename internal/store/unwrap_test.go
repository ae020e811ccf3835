package store

import (
	"context"
	"testing"
	"time"
)

// counting is a wrapper like host's: it counts commits and forwards the rest.
type counting struct {
	Store
	commits int
}

func (c *counting) ApplyIf(ctx context.Context, ns string, reads []Read, batch []Write) error {
	c.commits++
	return c.Store.ApplyIf(ctx, ns, reads, batch)
}

func (c *counting) Unwrap() Store { return c.Store }

// A Txn over a wrapped store reads through the backend's own paths (the
// shared read view: Gets open no transaction of their own) and commits
// through the wrapper.
func TestTxnReadsThroughWrapperCommitsThroughIt(t *testing.T) {
	s := boltBackend.fresh(t, Limits{})
	mustApply(t, s, "a", put("k1", "1"), put("k2", "2"))
	w := &counting{Store: &counting{Store: s}} // wrappers of wrappers too
	txn := NewTxn(w, "a", Limits{})
	txn.view.maxAge = time.Hour // only Commit can close it
	before := s.(*boltStore).db.Stats().TxN
	for range 50 {
		if v, ok, err := txn.Get(bg(), "k1"); err != nil || !ok || string(v) != "1" {
			t.Fatalf("Get = %q, %v, %v", v, ok, err)
		}
	}
	if opened := s.(*boltStore).db.Stats().TxN - before; opened != 1 {
		t.Errorf("50 Gets through a wrapper opened %d read transactions, want 1 (the shared view)", opened)
	}
	if err := txn.Put("k2", []byte("two")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(bg()); err != nil {
		t.Fatal(err)
	}
	if w.commits != 1 || w.Store.(*counting).commits != 1 {
		t.Errorf("commits seen by the wrappers: %d and %d, want 1 each", w.commits, w.Store.(*counting).commits)
	}
	if v, ok, err := s.Get(bg(), "a", "k2"); err != nil || !ok || string(v) != "two" {
		t.Errorf("k2 after commit = %q, %v, %v", v, ok, err)
	}
}
