package store

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// groupFixture is a groupCommit over a fresh bolt file whose first call
// holds the commit until release is closed, so that the calls made
// meanwhile queue up and go in the next group together.
func groupFixture(t *testing.T) (g *groupCommit, release chan struct{}, firstDone chan error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	g = &groupCommit{db: db}
	release, started, firstDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		firstDone <- g.update(func(tx *bolt.Tx) error {
			close(started)
			<-release
			_, err := tx.CreateBucketIfNotExists([]byte("b"))
			return err
		})
	}()
	<-started
	return g, release, firstDone
}

// waitQueued waits until n calls wait for the next group.
func waitQueued(t *testing.T, g *groupCommit, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		g.mu.Lock()
		queued := len(g.waiting)
		g.mu.Unlock()
		if queued == n {
			return
		}
	}
	t.Fatalf("%d calls never queued", n)
}

// Calls that arrive while a commit runs share the next transaction, and
// each gets its answer.
func TestGroupCommitSharesOneTransaction(t *testing.T) {
	g, release, firstDone := groupFixture(t)
	const calls = 5
	ids := make([]int, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.update(func(tx *bolt.Tx) error {
				ids[i] = tx.ID()
				return tx.Bucket([]byte("b")).Put([]byte{byte(i)}, []byte("v"))
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	waitQueued(t, g, calls)
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i := range ids {
		if ids[i] != ids[0] {
			t.Fatalf("transaction ids %v: the queued calls did not share one commit", ids)
		}
	}
	err := g.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket([]byte("b")).Stats().KeyN; n != calls {
			t.Errorf("%d keys stored, want %d", n, calls)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running || len(g.waiting) != 0 {
		t.Errorf("after the last commit: running %v, %d waiting", g.running, len(g.waiting))
	}
}

// A call that fails in a group gets its own error and leaves nothing; the
// others of its group are committed.
func TestGroupCommitFailureStaysWithItsCall(t *testing.T) {
	g, release, firstDone := groupFixture(t)
	refused := errors.New("refused")
	outcome := make([]error, 3)
	var wg sync.WaitGroup
	for i, key := range []string{"a", "bad", "c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcome[i] = g.update(func(tx *bolt.Tx) error {
				if err := tx.Bucket([]byte("b")).Put([]byte(key), []byte("v")); err != nil {
					return err
				}
				if key == "bad" {
					return refused // after writing: the write must not stay
				}
				return nil
			})
		}()
		waitQueued(t, g, i+1) // in this order in the group
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if outcome[0] != nil || outcome[2] != nil || !errors.Is(outcome[1], refused) {
		t.Fatalf("outcomes %v, want nil, refused, nil", outcome)
	}
	err := g.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		for key, want := range map[string]bool{"a": true, "bad": false, "c": true} {
			if got := b.Get([]byte(key)) != nil; got != want {
				t.Errorf("key %q stored: %v, want %v", key, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
