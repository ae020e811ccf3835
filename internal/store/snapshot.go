package store

import (
	"context"
	"sync"
	"time"
)

// A call's Gets share a read view of the store instead of opening one per
// Get: for bbolt a read transaction (DB.View) per kv_get was 4% of the
// server's CPU on records.ingest, more than the lookup itself.
//
// A view is held for at most maxSnapshotAge, then closed by a timer even if
// the guest is busy computing: a bbolt read transaction open for the length
// of a slow call would make a writer that must grow the file (and every
// reader queued behind it) wait for that call, and would keep bbolt from
// reusing the pages freed since. Reads stay validated at commit (Txn.Commit
// → ApplyIf), so a view up to maxSnapshotAge old loses no update; a key
// changed in between makes the call run again, as any conflict does.

// maxSnapshotAge bounds how long a Txn keeps one read view open.
const maxSnapshotAge = time.Millisecond

// snapshotter is implemented by the stores whose reads can share a view.
type snapshotter interface {
	// snapshot opens a consistent read-only view of namespace ns.
	snapshot(ctx context.Context, ns string) (snapshot, error)
}

// snapshot is one read-only view; close must be called exactly once.
type snapshot interface {
	// get returns a copy of key's value, which the caller may keep.
	get(key string) (value []byte, found bool, err error)
	close() error
}

// readView is a Txn's current snapshot and the timer that closes it. The
// Txn's goroutine and the timer's both reach it, hence the mutex.
type readView struct {
	mu    sync.Mutex
	snap  snapshot // nil: none open
	timer *time.Timer
	gen   uint64 // which snapshot the pending timer is for
	// maxAge is maxSnapshotAge unless a test set it.
	maxAge time.Duration
}

// get reads key through the open snapshot, opening one if there is none.
// The snapshot is opened without holding mu, so a timer closing an older
// one never waits behind a writer bbolt makes this open wait for.
func (v *readView) get(ctx context.Context, s snapshotter, ns, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	v.mu.Lock()
	if v.snap == nil {
		v.mu.Unlock()
		sn, err := s.snapshot(ctx, ns)
		if err != nil {
			return nil, false, err
		}
		v.mu.Lock()
		v.snap = sn
		v.gen++
		gen := v.gen
		age := v.maxAge
		if age <= 0 {
			age = maxSnapshotAge
		}
		v.timer = time.AfterFunc(age, func() { v.expire(gen) })
	}
	value, found, err := v.snap.get(key)
	v.mu.Unlock()
	return value, found, err
}

// expire is the timer's: it closes snapshot gen if it is still open.
func (v *readView) expire(gen uint64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.gen == gen && v.snap != nil {
		_ = v.snap.close() // a read-only view has nothing to lose
		v.snap = nil
	}
}

// close closes the open snapshot, if any, and stops its timer. Txn calls it
// before it commits: a bbolt read transaction still open in the goroutine
// that commits can deadlock the commit when it must grow the file.
func (v *readView) close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.snap == nil {
		return
	}
	v.timer.Stop()
	_ = v.snap.close()
	v.snap = nil
}
