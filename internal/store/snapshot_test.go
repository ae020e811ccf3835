package store

import (
	"bytes"
	"errors"
	"strconv"
	"testing"
	"time"
)

// openTxs is how many bolt read transactions are open.
func openTxs(s Store) int { return s.(*boltStore).db.Stats().OpenTxN }

// Gets of one call share one bolt read transaction, and it is closed by its
// timer even when the call neither commits nor reads again.
func TestTxnGetsShareAViewThatExpires(t *testing.T) {
	s := boltBackend.fresh(t, Limits{})
	mustApply(t, s, "a", put("k1", "1"), put("k2", "2"))
	txn := NewTxn(s, "a", Limits{})
	before := s.(*boltStore).db.Stats().TxN
	for i := 0; i < 100; i++ {
		if v, ok, err := txn.Get(bg(), "k"+strconv.Itoa(i%3+1)); err != nil || ok != (i%3 != 2) || ok && string(v) != strconv.Itoa(i%3+1) {
			t.Fatalf("Get %d = %q, %v, %v", i, v, ok, err)
		}
	}
	opened := s.(*boltStore).db.Stats().TxN - before
	t.Logf("100 Gets opened %d read transactions", opened)
	if opened > 50 { // one per maxSnapshotAge of the loop; a loaded machine may need several
		t.Errorf("100 Gets opened %d read transactions, want them to share a few", opened)
	}
	deadline := time.Now().Add(5 * time.Second)
	for openTxs(s) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d read transactions still open 5 s after the last Get", openTxs(s))
		}
		time.Sleep(time.Millisecond)
	}
	// The Txn reads again after its view expired: a new one opens.
	if v, ok, err := txn.Get(bg(), "k1"); err != nil || !ok || string(v) != "1" {
		t.Fatalf("Get after expiry = %q, %v, %v", v, ok, err)
	}
	txn.Discard()
	if n := openTxs(s); n != 0 {
		t.Errorf("%d read transactions open after Discard", n)
	}
}

// A Txn closes its view before it commits, rather than leave it to the
// timer: a bolt read transaction open while the commit must grow (remap)
// the file would hold the commit up.
func TestTxnCommitClosesItsView(t *testing.T) {
	s := boltBackend.fresh(t, Limits{})
	big := bytes.Repeat([]byte("x"), 512<<10)
	for round := 0; round < 3; round++ {
		txn := NewTxn(s, "a", Limits{})
		txn.view.maxAge = time.Hour // only Commit can close it
		if _, _, err := txn.Get(bg(), "k"); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 12; i++ { // 6 MiB a round: the file grows past its first mappings
			if err := txn.Put("k"+strconv.Itoa(round)+"-"+strconv.Itoa(i), big); err != nil {
				t.Fatal(err)
			}
		}
		if err := txn.Commit(bg()); err != nil {
			t.Fatal(err)
		}
		if n := openTxs(s); n != 0 {
			t.Fatalf("%d read transactions open right after Commit", n)
		}
	}
}

// A call that holds a view and then computes for long does not hold back
// other calls' commits that grow the file: the view expires.
func TestAnIdleViewDoesNotHoldBackOtherCommits(t *testing.T) {
	s := boltBackend.fresh(t, Limits{})
	idle := NewTxn(s, "a", Limits{})
	defer idle.Discard()
	if _, _, err := idle.Get(bg(), "k"); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("y"), 512<<10)
	start := time.Now()
	for i := 0; i < 40; i++ { // 20 MiB: several remaps
		if err := s.Apply(bg(), "b", []Write{{Key: "k" + strconv.Itoa(i), Value: big}}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("40 commits of 512 KiB next to an idle call's view: %v", time.Since(start))
	// A conflict is still seen through a view: the idle call read k as
	// absent, another call wrote it.
	mustApply(t, s, "a", put("k", "new"))
	if err := idle.Put("other", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if err := idle.Commit(bg()); !errors.Is(err, ErrConflict) {
		t.Errorf("Commit after a read key changed: %v, want ErrConflict", err)
	}
}
