package plugin

import (
	"sync"
	"sync/atomic"
)

// idleBudget bounds what the idle instances of every plugin hold together
// (pool.max_idle_bytes). Each pool's idle instances are also nodes of one
// list shared by all pools, the least recently released first; when the
// list holds more than max bytes, the instance at its head is destroyed,
// whichever plugin it belongs to. Busy instances are never on the list.
//
// No goroutine does this: the call that gives an instance back evicts what
// the budget no longer holds, after its own pool's lock is released, so
// eviction costs nothing while nobody calls and needs nothing to stop.
//
// Locking: a pool's mu is taken before the budget's mu, never the other
// way round. An instance is on the list exactly when it is in its pool's
// idle slice, both changed together under both locks; so the pool alone
// decides, under its mu, whether an instance is handed to a call or
// destroyed by the budget, and the two cannot both happen.
type idleBudget struct {
	max int64 // bytes; 0: no bound (the list is not kept)

	mu         sync.Mutex
	head, tail *idleNode // head: released longest ago
	bytes      int64     // held by the nodes on the list
	count      int

	// Totals since the runtime started, across reloads: instances
	// destroyed to keep within the budget and after pool.idle_timeout.
	evicted, expired atomic.Uint64
}

// idleNode is one idle instance on the budget's list. A pool keeps its
// nodes for reuse (pool.spare), so a call allocates none.
type idleNode struct {
	prev, next *idleNode
	owner      idleOwner // the pool, set once when the node is made
	bytes      int64
	gen        uint64 // bumped at each link: tells a node relinked since it was seen
	linked     bool
}

// idleOwner is a pool as the budget sees it.
type idleOwner interface {
	// evictIdle destroys the instance of n if n is still on the list in
	// generation gen, and reports whether it did.
	evictIdle(n *idleNode, gen uint64) bool
}

func newIdleBudget(max int64) *idleBudget { return &idleBudget{max: max} }

// bounded reports whether the budget keeps its list; a nil budget is
// unbounded.
func (b *idleBudget) bounded() bool { return b != nil && b.max > 0 }

// link puts n at the tail (the most recently released) and reports
// whether the list now holds more than the budget; callers hold the
// owner's mu, and link takes b.mu.
func (b *idleBudget) link(n *idleNode, bytes int64) (over bool) {
	b.mu.Lock()
	n.bytes = bytes
	n.gen++
	n.linked = true
	n.prev, n.next = b.tail, nil
	if b.tail != nil {
		b.tail.next = n
	} else {
		b.head = n
	}
	b.tail = n
	b.bytes += bytes
	b.count++
	over = b.bytes > b.max
	b.mu.Unlock()
	return over
}

// unlink takes n off the list; callers hold the owner's mu.
func (b *idleBudget) unlink(n *idleNode) {
	b.mu.Lock()
	b.unlinkLocked(n)
	b.mu.Unlock()
}

func (b *idleBudget) unlinkLocked(n *idleNode) {
	if !n.linked {
		return
	}
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		b.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		b.tail = n.prev
	}
	n.prev, n.next = nil, nil
	n.linked = false
	b.bytes -= n.bytes
	b.count--
}

// evict destroys the least recently released idle instances until the rest
// fit in the budget. Callers hold no pool's mu: the owner's evictIdle
// takes its own, then b.mu, as everywhere else. An eviction that finds its
// node taken or relinked (a call got the instance first) looks again: the
// list changed, so the loop makes progress.
func (b *idleBudget) evict() {
	for {
		b.mu.Lock()
		if b.bytes <= b.max || b.head == nil {
			b.mu.Unlock()
			return
		}
		n := b.head
		owner, gen := n.owner, n.gen
		b.mu.Unlock()
		if owner.evictIdle(n, gen) {
			b.evicted.Add(1)
		}
	}
}

// IdleStats is what the idle instances of every plugin hold, and what the
// budget and the idle timeout destroyed since the runtime started.
type IdleStats struct {
	// Instances and Bytes are those on the budget's list: zero when
	// pool.max_idle_bytes is 0 (no list is kept).
	Instances int
	Bytes     int64
	// Evicted counts idle instances destroyed to stay within
	// pool.max_idle_bytes; Expired those destroyed after pool.idle_timeout.
	Evicted, Expired uint64
}

// IdleStats reports the idle instances across every plugin.
func (r *Runtime) IdleStats() IdleStats {
	b := r.idle
	b.mu.Lock()
	s := IdleStats{Instances: b.count, Bytes: b.bytes}
	b.mu.Unlock()
	s.Evicted, s.Expired = b.evicted.Load(), b.expired.Load()
	return s
}
