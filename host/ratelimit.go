package host

import (
	"math"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// newLimiter is the token bucket of a Rate; nil for no limit.
func newLimiter(r Rate) *rate.Limiter {
	if r.PerSecond == 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(r.PerSecond), r.burst())
}

// take spends one token of l, or says how long until one is there. A
// refused call spends nothing.
func take(l *rate.Limiter, now time.Time) (ok bool, retryAfter time.Duration) {
	if l == nil || l.AllowN(now, 1) {
		return true, 0
	}
	r := l.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	if !r.OK() || d == rate.InfDuration {
		d = time.Duration(math.Ceil(1/float64(l.Limit()))) * time.Second
	}
	return false, d
}

// addrLimiters rate-limits anonymous callers per remote address, in a
// bounded map: an attacker with many addresses cannot grow it past max
// entries. A bucket that has refilled is the same as a new one, so such
// entries are dropped when the map is full (at most once a second, so a
// full map of busy addresses costs no scan per call); while it stays full,
// the addresses not in it share one bucket, overflow. Addresses already
// tracked keep their own, so a flood from new addresses slows those
// addresses, not the callers the map already knows.
type addrLimiters struct {
	rate      Rate
	max       int
	mu        sync.Mutex
	m         map[netip.Prefix]*rate.Limiter
	overflow  *rate.Limiter
	lastPrune time.Time
}

func newAddrLimiters(r Rate, max int) *addrLimiters {
	if r.PerSecond == 0 {
		return nil
	}
	return &addrLimiters{rate: r, max: max, m: map[netip.Prefix]*rate.Limiter{}, overflow: newLimiter(r)}
}

// take spends a token of remote's bucket.
func (a *addrLimiters) take(remote string, now time.Time) (bool, time.Duration) {
	if a == nil {
		return true, 0
	}
	a.mu.Lock()
	l := a.limiter(addrKey(remote), now)
	a.mu.Unlock()
	return take(l, now)
}

// limiter finds or makes the bucket of key; a.mu is held.
func (a *addrLimiters) limiter(key netip.Prefix, now time.Time) *rate.Limiter {
	if l, ok := a.m[key]; ok {
		return l
	}
	if len(a.m) >= a.max && now.Sub(a.lastPrune) >= time.Second {
		a.lastPrune = now
		full := float64(a.rate.burst())
		for k, l := range a.m {
			if l.TokensAt(now) >= full {
				delete(a.m, k)
			}
		}
	}
	if len(a.m) >= a.max {
		return a.overflow
	}
	l := newLimiter(a.rate)
	a.m[key] = l
	return l
}

// size is the number of addresses tracked apart.
func (a *addrLimiters) size() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.m)
}

// addrKey is the bucket a remote address (host:port) falls in: an IPv4
// address alone, an IPv6 address by its /64, which one host usually
// holds whole. An address that does not parse shares the zero key.
func addrKey(remote string) netip.Prefix {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	ip = ip.Unmap().WithZone("")
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}
