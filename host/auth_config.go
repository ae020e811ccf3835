package host

import (
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Caller is one entry of auth.callers: a named caller, the hash of its
// token, the procedures it may call, and its rate limit.
type Caller struct {
	// TokenSHA256 is the hex SHA-256 of the caller's token, as `rpchost
	// hash-token` prints it. The token itself is never configured.
	TokenSHA256 string
	// Allow lists the procedures the caller may call: exact names (add),
	// or patterns where * matches any run of characters (records.*,
	// system.*, *). A call is allowed when a pattern matches the name it
	// was made by or, for a bare name, the qualified name it stands for.
	Allow []string
	// Admin lets the caller's token do what the admin token does:
	// uploads and removals (plugins.*, PUT/DELETE /plugins/…).
	Admin bool
	// Rate bounds the caller's calls; the zero Rate is no limit.
	Rate Rate
}

// Rate is a token bucket: PerSecond calls a second on average, up to
// Burst at once. The zero Rate is no limit.
type Rate struct {
	PerSecond float64
	Burst     int // 0: the calls of one second, at least 1
}

// burst is the bucket's size, Burst or the calls of one second.
func (r Rate) burst() int {
	if r.Burst > 0 {
		return r.Burst
	}
	return max(1, int(math.Ceil(r.PerSecond)))
}

// ParseRate reads a rate written as N/s, N/m or N/h (calls a second,
// minute or hour; N may have a fraction); "" and "0" are no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return Rate{}, nil
	}
	num, unit, ok := strings.Cut(s, "/")
	per := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}[strings.TrimSpace(unit)]
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if !ok || per == 0 || err != nil || n <= 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return Rate{}, fmt.Errorf("%q is not a rate: want calls per second, minute or hour, like 10/s, 300/m or 1000/h", s)
	}
	return Rate{PerSecond: n / per.Seconds()}, nil
}

// String writes the rate as ParseRate reads it.
func (r Rate) String() string {
	if r.PerSecond == 0 {
		return ""
	}
	return strconv.FormatFloat(r.PerSecond, 'g', -1, 64) + "/s"
}

// authSettings are the auth.* settings of a Config.
type authSettings struct {
	callers      map[string][]func(Caller) Caller // per caller, applied in order
	anonymous    []string
	anonRate     Rate
	anonMaxAddrs int
}

func defaultAuth() authSettings {
	return authSettings{anonymous: []string{"*"}, anonMaxAddrs: 10000}
}

// WithCaller configures one named caller of auth.callers: edit receives
// the caller as configured so far (the zero Caller at first) and returns
// it changed, so that each key can set one field.
func (c Config) WithCaller(name string, edit func(Caller) Caller) Config {
	c.auth.callers = maps.Clone(c.auth.callers)
	if c.auth.callers == nil {
		c.auth.callers = map[string][]func(Caller) Caller{}
	}
	c.auth.callers[name] = append(slices.Clip(c.auth.callers[name]), edit)
	return c
}

// WithAnonymous sets the procedures callers without credentials may call
// (auth.anonymous), as patterns like those of Caller.Allow; the default
// ["*"] is everything, and an empty list is nothing.
func (c Config) WithAnonymous(patterns []string) Config {
	c.auth.anonymous = slices.Clone(patterns)
	return c
}

// WithAnonymousRate limits the calls of callers without credentials, per
// remote address (an IPv6 address by its /64); the zero Rate is no limit.
func (c Config) WithAnonymousRate(r Rate) Config { c.auth.anonRate = r; return c }

// WithAnonymousMaxAddresses bounds the remote addresses whose anonymous
// rate is tracked apart (auth.anonymous_max_addresses); past it, new
// addresses share one bucket.
func (c Config) WithAnonymousMaxAddresses(n int) Config { c.auth.anonMaxAddrs = n; return c }

// Anonymous reports the patterns of auth.anonymous.
func (c Config) Anonymous() []string { return slices.Clone(c.auth.anonymous) }

// AnonymousRate reports the rate of auth.anonymous_rate.
func (c Config) AnonymousRate() Rate { return c.auth.anonRate }

// AnonymousMaxAddresses reports auth.anonymous_max_addresses.
func (c Config) AnonymousMaxAddresses() int { return c.auth.anonMaxAddrs }

// Callers reports the configured callers by name.
func (c Config) Callers() map[string]Caller {
	out := make(map[string]Caller, len(c.auth.callers))
	for name, edits := range c.auth.callers {
		var cl Caller
		for _, edit := range edits {
			cl = edit(cl)
		}
		out[name] = cl
	}
	return out
}

// validate checks the auth.* settings, in their keys' terms.
func (a authSettings) validate(callers map[string]Caller) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, name := range slices.Sorted(maps.Keys(callers)) {
		cl := callers[name]
		p := "auth.callers." + name
		if err := CheckCallerName(name); err != nil {
			fail("%s: %v", p, err)
		}
		if b, err := hex.DecodeString(cl.TokenSHA256); err != nil || len(b) != 32 {
			fail("%s.token_sha256: want the 64 hex digits `rpchost hash-token` prints, got %d characters", p, len(cl.TokenSHA256))
		}
		for _, pat := range cl.Allow {
			if err := checkPattern(pat); err != nil {
				fail("%s.allow: %v", p, err)
			}
		}
		if err := cl.Rate.check(); err != nil {
			fail("%s.rate: %v", p, err)
		}
		if cl.Rate.Burst < 0 {
			fail("%s.burst: %d is below 1", p, cl.Rate.Burst)
		}
	}
	for _, pat := range a.anonymous {
		if err := checkPattern(pat); err != nil {
			fail("auth.anonymous: %v", err)
		}
	}
	if err := a.anonRate.check(); err != nil {
		fail("auth.anonymous_rate: %v", err)
	}
	if a.anonMaxAddrs < 1 {
		fail("auth.anonymous_max_addresses: %d is below 1", a.anonMaxAddrs)
	}
	return errs
}

func (r Rate) check() error {
	if r.PerSecond < 0 || math.IsNaN(r.PerSecond) || math.IsInf(r.PerSecond, 0) {
		return fmt.Errorf("%v calls a second is not a rate", r.PerSecond)
	}
	return nil
}

// CheckCallerName refuses a caller name that basic auth cannot carry or
// a log line would garble: 1 to 64 of a-z, 0-9, _, - and ., starting with
// a letter or digit.
func CheckCallerName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("a caller name has 1 to 64 characters")
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || i > 0 && (r == '_' || r == '-' || r == '.')
		if !ok {
			return fmt.Errorf("%q: a caller name is lower-case letters, digits, _, - and ., starting with a letter or digit", name)
		}
	}
	return nil
}
