package plugin

// PoolStats is a snapshot of one plugin's instance pool: what its
// instances are doing now, and totals since the plugin was loaded.
type PoolStats struct {
	// Busy counts the instances running a call (or being created for one).
	Busy int
	// Idle counts the instances waiting for a call.
	Idle int
	// Waiting counts the calls waiting for an instance.
	Waiting int
	// Refused counts the calls refused busy: the queue was full
	// (limits.max_queue) or no instance came free within the time limit.
	Refused uint64
	// Created counts the instances made for calls (the one that reads the
	// manifest at load is not pooled, so not counted).
	Created uint64
	// IdleReleased counts the instances destroyed after pool.idle_timeout
	// without a call.
	IdleReleased uint64
	// Evicted counts the idle instances destroyed to keep every plugin's
	// idle instances within pool.max_idle_bytes.
	Evicted uint64
}

// poolCounters are the pool's totals, guarded by its mu.
type poolCounters struct {
	refused, created, idleReleased, evicted uint64
}

// PoolStats reports the plugin's pool as it is now.
func (p *Plugin) PoolStats() PoolStats {
	if p.pool == nil {
		return PoolStats{}
	}
	return p.pool.stats()
}

func (p *pool[T]) stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{
		Busy:         p.live - len(p.idle),
		Idle:         len(p.idle),
		Waiting:      len(p.waiters),
		Refused:      p.counters.refused,
		Created:      p.counters.created,
		IdleReleased: p.counters.idleReleased,
		Evicted:      p.counters.evicted,
	}
}

func (p *pool[T]) countRefused() {
	p.mu.Lock()
	p.counters.refused++
	p.mu.Unlock()
}
