package plugin

import "time"

// Idle instances are released by one timer per pool rather than by a
// goroutine per pool or a sweep over every plugin: a thousand plugins must
// cost nothing while nobody calls them, and a timer that is armed only
// while its pool holds an idle instance costs neither a goroutine's stack
// nor a wake-up in a pool with nothing to release. Stamping an instance
// on release is one clock read under the lock the release takes anyway.

// armReaperLocked makes reap run after d; callers hold mu.
func (p *pool[T]) armReaperLocked(d time.Duration) {
	if p.reaper == nil {
		p.reaper = time.AfterFunc(d, p.reap)
	} else {
		p.reaper.Reset(d)
	}
	p.reaperArmed = true
}

// reap destroys the instances idle for idleTimeout or longer, and arms
// itself again for the oldest one left. Instances are stamped in the order
// they are given back and taken from the top, so the expired ones are a
// prefix of idle.
func (p *pool[T]) reap() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	now := p.now()
	n := 0
	for n < len(p.idle) && now-p.idle[n].since >= p.idleTimeout {
		n++
	}
	expired := make([]T, n)
	for i := range n {
		expired[i] = p.idle[i].in
		p.unbudgetLocked(p.idle[i].node)
	}
	if p.budget != nil {
		p.budget.expired.Add(uint64(n))
	}
	rest := copy(p.idle, p.idle[n:])
	clear(p.idle[rest:]) // no stale references for the collector to follow
	p.idle = p.idle[:rest]
	p.counters.idleReleased += uint64(n)
	p.reaperArmed = false
	if rest > 0 {
		p.armReaperLocked(p.idle[0].since + p.idleTimeout - now)
	}
	p.mu.Unlock()
	for _, in := range expired {
		p.discard(in)
	}
}
