package host

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Sentinel errors of caller authorization (auth.*). Host.Call returns them
// before any procedure runs.
var (
	// ErrUnauthenticated: the call came without credentials and callers
	// without credentials may not call it (auth.anonymous), or with
	// credentials that name no caller (CodeUnauthenticated, HTTP 401).
	ErrUnauthenticated = errors.New("authentication required")
	// ErrNotPermitted: the caller is known but may not call this procedure
	// (auth.callers.<name>.allow) (CodeNotPermitted).
	ErrNotPermitted = errors.New("not permitted")
	// ErrRateLimited: the caller has used up its rate (auth.callers.<name>.rate,
	// auth.anonymous_rate); a *RateLimitedError says when to retry
	// (CodeRateLimited, HTTP 429).
	ErrRateLimited = errors.New("rate limit exceeded")
)

// RateLimitedError is the error of a call refused for its rate; it
// matches ErrRateLimited.
type RateLimitedError struct {
	Caller     string        // the caller's name, or "anonymous"
	RetryAfter time.Duration // until a token is there
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("%v: %s may call again in %v", ErrRateLimited, e.Caller, e.RetryAfter.Round(time.Millisecond))
}

func (e *RateLimitedError) Is(target error) bool { return target == ErrRateLimited }

// authCaller is a configured caller, ready to check.
type authCaller struct {
	name    string
	hash    [sha256.Size]byte
	allow   []string
	admin   bool
	limiter *rate.Limiter // nil: no limit
}

// authorizer holds what New built from the auth.* settings.
type authorizer struct {
	callers   []*authCaller // sorted by name
	adminHash [sha256.Size]byte
	hasAdmin  bool // admin.token is set
	anonymous []string
	anonRate  *addrLimiters // nil: no limit
	// open: no callers, anonymous may call everything at any rate, so
	// that calls need no checks at all (the default).
	open bool
}

func newAuthorizer(cfg Config, logger *slog.Logger) *authorizer {
	a := &authorizer{anonymous: cfg.auth.anonymous, anonRate: newAddrLimiters(cfg.auth.anonRate, cfg.auth.anonMaxAddrs)}
	if cfg.adminToken != "" {
		a.adminHash, a.hasAdmin = sha256.Sum256([]byte(cfg.adminToken)), true
	}
	callers := cfg.Callers()
	for _, name := range slices.Sorted(maps.Keys(callers)) {
		cl := callers[name]
		ac := &authCaller{name: name, allow: cl.Allow, admin: cl.Admin, limiter: newLimiter(cl.Rate)}
		_, _ = hex.Decode(ac.hash[:], []byte(cl.TokenSHA256)) // validate checked it
		a.callers = append(a.callers, ac)
	}
	everything := slices.Contains(a.anonymous, "*")
	a.open = len(a.callers) == 0 && a.anonRate == nil && everything
	if len(a.callers) > 0 && everything {
		// Allowed (callers may be given rates while anyone may call), but
		// more likely an auth.anonymous forgotten: say so once.
		logger.Warn("auth.callers is set, but auth.anonymous lets callers without credentials call everything; set auth.anonymous to what they may call ([] for nothing)")
	}
	return a
}

// identity is who makes a call, resolved once per request and kept in
// the call's context, so the calls of a multicall are checked without
// reading the credentials again.
type identity struct {
	caller  *authCaller // nil: anonymous, or the admin token
	admin   bool        // the admin token, or a caller with the admin right
	trusted bool        // a Go program calling Host directly
	remote  string
}

func (id *identity) name() string {
	switch {
	case id.caller != nil:
		return id.caller.name
	case id.admin:
		return "admin"
	}
	return "anonymous"
}

type identityKey struct{}

// credentials reads what a request presents: a Bearer token, or basic
// auth's user and password.
func credentials(r *http.Request) (user, token string, presented bool) {
	auth := r.Header.Get("Authorization")
	if scheme, t, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return "", strings.TrimSpace(t), true
	}
	if u, p, ok := r.BasicAuth(); ok {
		return u, p, true
	}
	return "", "", auth != ""
}

// identify finds who makes the call in ctx. A call with no request in its
// context is trusted when no front end is recorded either (a Go program);
// one that a front end made without its request is anonymous, so a front
// end that forgets withToken opens nothing.
func (h *Host) identify(ctx context.Context) (*identity, error) {
	if id, ok := ctx.Value(identityKey{}).(*identity); ok {
		return id, nil
	}
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	if r == nil {
		if frontEndOf(ctx) == FrontEndInProcess {
			return &identity{trusted: true, remote: "in-process"}, nil
		}
		return &identity{remote: "unknown"}, nil
	}
	id := &identity{remote: r.RemoteAddr}
	user, token, presented := credentials(r)
	if !presented {
		return id, nil
	}
	a := h.auth
	sum := sha256.Sum256([]byte(token))
	// Every comparison runs, so the time taken says nothing of which
	// hash, if any, matched.
	admin := a.hasAdmin && subtle.ConstantTimeCompare(sum[:], a.adminHash[:]) == 1
	var match *authCaller
	for _, c := range a.callers {
		if subtle.ConstantTimeCompare(sum[:], c.hash[:]) == 1 && (user == "" || strings.EqualFold(user, c.name)) {
			match = c
		}
	}
	switch {
	case match != nil:
		id.caller, id.admin = match, match.admin
	case admin:
		id.admin = true
	case len(a.callers) > 0:
		// With callers configured, credentials that name none are
		// refused, not taken as anonymous: a client with a mistyped
		// token learns at once. Without callers, credentials are only
		// the admin token's business (plugins.*), as they always were.
		return nil, fmt.Errorf("%w: the credentials name no caller of auth.callers (user %q): send basic auth name:token or Authorization: Bearer <token>", ErrUnauthenticated, user)
	}
	return id, nil
}

// admitCall checks, before anything runs, that the caller in ctx may call
// method now: its credentials, its allow list, its rate. It returns ctx
// with the caller recorded for the calls a multicall makes. Each call of
// a multicall is checked and counted against the rate as a call of its own.
func (h *Host) admitCall(ctx context.Context, method string) (context.Context, error) {
	if h.auth.open {
		return ctx, nil // today's default: nothing to check, nothing to cost
	}
	id, err := h.identify(ctx)
	if err != nil {
		h.logRefusal(ctx, nil, method, err, slog.LevelInfo)
		return ctx, err
	}
	if id.trusted || h.auth.open {
		return ctx, nil
	}
	level := slog.LevelDebug // a multicall's calls: a thousand refusals in one request are not a thousand lines
	if ctx.Value(identityKey{}) == nil {
		ctx, level = context.WithValue(ctx, identityKey{}, id), slog.LevelInfo
	}
	if !h.permits(id, method) {
		if id.caller == nil && !id.admin {
			err = fmt.Errorf("%w: callers without credentials may not call %s (auth.anonymous); send basic auth name:token or Authorization: Bearer <token>", ErrUnauthenticated, method)
		} else {
			err = fmt.Errorf("%w: caller %s may not call %s (auth.callers.%s.allow)", ErrNotPermitted, id.name(), method, id.name())
		}
		h.logRefusal(ctx, id, method, err, level)
		return ctx, err
	}
	now := time.Now()
	var ok bool
	var wait time.Duration
	switch {
	case id.caller != nil:
		ok, wait = take(id.caller.limiter, now)
	case !id.admin:
		ok, wait = h.auth.anonRate.take(id.remote, now)
	default:
		ok = true
	}
	if !ok {
		err = &RateLimitedError{Caller: id.name(), RetryAfter: wait}
		h.logger.Debug("call refused", "remote", id.remote, "caller", id.name(), "method", method, "reason", err.Error())
		return ctx, err
	}
	return ctx, nil
}

// permits reports whether id may call method: a pattern of its allow list
// (auth.anonymous for callers without credentials) matches the name
// called or, for a bare name, the qualified name it stands for. The admin
// token may call anything; a caller with the admin right may call
// plugins.* besides its list.
func (h *Host) permits(id *identity, method string) bool {
	if id.trusted || id.admin && id.caller == nil {
		return true
	}
	allow := h.auth.anonymous
	if id.caller != nil {
		allow = id.caller.allow
		if id.admin && strings.HasPrefix(method, "plugins.") {
			return true
		}
	}
	if matchAny(allow, method) {
		return true
	}
	if e, ok := h.registry.Lookup(method); ok && e.IsAlias() {
		return matchAny(allow, e.Target)
	}
	return false
}

// mayCall reports whether the caller of ctx may call method, for the
// front ends and introspection that list methods (system.listMethods).
func (h *Host) mayCall(ctx context.Context, method string) bool {
	if h.auth.open {
		return true
	}
	id, err := h.identify(ctx)
	return err == nil && h.permits(id, method)
}

// adminByCaller reports whether the request in ctx authenticated as a
// caller with the admin right, whose token then works as the admin token.
func (h *Host) adminByCaller(ctx context.Context) bool {
	id, err := h.identify(ctx)
	return err == nil && id.caller != nil && id.caller.admin
}

// logRefusal writes one line per refused call: who, what, why; never the
// token. At info level for a request: refusals are what an operator looks
// for when a client reports 401s, and the admin trail logs every refusal
// the same way; at debug level for the calls inside a multicall.
func (h *Host) logRefusal(ctx context.Context, id *identity, method string, err error, level slog.Level) {
	remote, name := "", "unknown"
	if id != nil {
		remote, name = id.remote, id.name()
	} else if r, _ := ctx.Value(requestKey{}).(*http.Request); r != nil {
		remote = r.RemoteAddr
	}
	if len(method) > 100 {
		method = method[:100] + "…"
	}
	h.logger.Log(ctx, level, "call refused", "remote", remote, "caller", name, "method", method, "reason", err.Error())
}
