package store

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit runs the write transactions of concurrent calls together:
// while one bolt transaction commits (its pages written and synced), the
// calls that arrive wait, and the next transaction applies all of them in
// arrival order, each with its own checks, then commits once. A call
// still returns only after the transaction holding its writes is on disk,
// and a call's writes are still all applied or none: they are in one
// transaction, with the others'.
//
// Why: bolt writes every page a transaction dirtied and syncs the file at
// each commit. Under concurrent ingests the commit was a third of the
// server's CPU (profile of records.ingest at 4 connections on a growing
// store), and calls of one plugin touch the same pages (its counters,
// the index entries of recent times), so one commit for several calls
// writes and syncs those pages once. There is no waiting for company: a
// call that finds no commit running starts one at once, so a lone call
// costs what it did. bolt's own DB.Batch waits MaxBatchDelay (10 ms) for
// more calls, which would add that to every call on a quiet server.
//
// A call whose function fails (a conflict, a quota) must not take the
// others down with it, and a bolt transaction cannot undo part of itself:
// the whole transaction is rolled back, the failed call gets its error,
// and the others run again in a new one. Each function is therefore run
// again from scratch and must not keep anything from a rolled-back run,
// as with DB.Update retried by the caller.
type groupCommit struct {
	db *bolt.DB

	mu      sync.Mutex
	waiting []*groupCall
	running bool // a goroutine is committing; it takes waiting calls next
}

// groupCall is one call's transaction function and where its outcome goes.
type groupCall struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// update runs fn in a read-write transaction, possibly shared with other
// calls' functions, and returns once that transaction is committed or fn
// failed.
func (g *groupCommit) update(fn func(*bolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.waiting = append(g.waiting, c)
	if g.running {
		g.mu.Unlock()
		if err := <-c.done; err != errYouLead {
			return err
		}
	} else {
		g.running = true
		g.mu.Unlock()
	}
	return g.lead(c)
}

// errYouLead tells a waiting call that it commits the next group, its own
// among them.
var errYouLead = errors.New("lead the next group commit")

// lead commits every call waiting, c's among them, then hands the next
// group to the first call that arrived meanwhile: each goroutine commits
// one group at most, so none works for others for longer than one commit
// however long calls keep coming.
func (g *groupCommit) lead(c *groupCall) error {
	g.mu.Lock()
	group := g.waiting
	g.waiting = nil
	g.mu.Unlock()
	// Handed on even if bolt panics in commit (a damaged page), so that
	// the calls queued behind this one are not left waiting for ever.
	defer func() {
		g.mu.Lock()
		if len(g.waiting) == 0 {
			g.running = false
		} else {
			g.waiting[0].done <- errYouLead
		}
		g.mu.Unlock()
	}()
	g.commit(group)
	return <-c.done
}

// errCallFailed stops a group's transaction when one call's function
// fails; the call that failed is told its own error.
var errCallFailed = errors.New("a call of the group failed")

// commit runs group's functions in one transaction and answers each call.
// A failed function is answered with its error and the rest run again
// without it.
func (g *groupCommit) commit(group []*groupCall) {
	defer func() {
		if p := recover(); p != nil {
			// The calls of the group not answered yet get the panic as
			// their error; the leader's caller gets the panic itself,
			// as with DB.Update.
			for _, c := range group {
				select {
				case c.done <- fmt.Errorf("bbolt failed: %v", p):
				default:
				}
			}
			panic(p)
		}
	}()
	for len(group) > 0 {
		failed, failure := -1, error(nil)
		err := g.db.Update(func(tx *bolt.Tx) error {
			for i, c := range group {
				if err := c.fn(tx); err != nil {
					failed, failure = i, err
					return errCallFailed
				}
			}
			return nil
		})
		if failed < 0 {
			// Committed, or failed as a whole (the file, not a call):
			// every call of the group gets the same answer.
			for _, c := range group {
				c.done <- err
			}
			return
		}
		group[failed].done <- failure
		group = append(group[:failed:failed], group[failed+1:]...)
	}
}
