package plugin

// PoolStats is a snapshot of a plugin's instance pool, for monitoring.
type PoolStats struct {
	Busy    int    // instances running a call (or being created for one)
	Idle    int    // instances free for the next call
	Waiting int    // calls waiting for an instance
	Refused uint64 // calls told ErrBusy since the plugin was loaded: queue full, or waited their whole time limit
}

// PoolStats reports the pool's state now. It takes the pool's lock once,
// so the numbers are consistent with one another.
func (p *Plugin) PoolStats() PoolStats {
	if p.pool == nil {
		return PoolStats{}
	}
	return p.pool.stats()
}

func (p *pool[T]) stats() PoolStats {
	p.mu.Lock()
	s := PoolStats{Busy: p.live - len(p.idle), Idle: len(p.idle), Waiting: len(p.waiters)}
	p.mu.Unlock()
	s.Refused = p.refused.Load()
	return s
}
