package plugin

// The pool's side of the host-wide idle budget (idle_budget.go).

// budgetLocked puts an instance being made idle on the budget's list and
// returns its node, a spare one when the pool has one, and whether the
// list is now over the budget; callers hold mu.
func (p *pool[T]) budgetLocked(bytes int64) (*idleNode, bool) {
	var n *idleNode
	if k := len(p.spare); k > 0 {
		n = p.spare[k-1]
		p.spare[k-1] = nil
		p.spare = p.spare[:k-1]
	} else {
		n = &idleNode{owner: p}
	}
	return n, p.budget.link(n, bytes)
}

// unbudgetLocked takes an instance leaving idle off the budget's list and
// keeps its node for the next; callers hold mu.
func (p *pool[T]) unbudgetLocked(n *idleNode) {
	if n == nil {
		return
	}
	p.budget.unlink(n)
	p.spare = append(p.spare, n)
}

// evictIdle destroys the idle instance of n, if n is still on the budget's
// list as the budget saw it (generation gen). Under p.mu nothing can hand
// the instance to a call, and the node is on the list exactly while its
// instance is in p.idle, so the check and the removal are one step.
func (p *pool[T]) evictIdle(n *idleNode, gen uint64) bool {
	p.mu.Lock()
	p.budget.mu.Lock()
	ok := n.linked && n.gen == gen
	if ok {
		p.budget.unlinkLocked(n)
	}
	p.budget.mu.Unlock()
	if !ok {
		p.mu.Unlock()
		return false
	}
	var in T
	for i := range p.idle {
		if p.idle[i].node == n {
			in = p.idle[i].in
			// The order is kept: reap relies on the oldest being first.
			last := len(p.idle) - 1
			copy(p.idle[i:], p.idle[i+1:])
			p.idle[last] = idleInstance[T]{} // no stale reference left
			p.idle = p.idle[:last]
			break
		}
	}
	p.spare = append(p.spare, n)
	p.counters.evicted++
	p.mu.Unlock()
	p.discard(in)
	return true
}
