package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

func hashOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func withCaller(name, token string, allow []string, edit ...func(Caller) Caller) func(Config) Config {
	return func(c Config) Config {
		return c.WithCaller(name, func(cl Caller) Caller {
			cl.TokenSHA256, cl.Allow = hashOf(token), allow
			for _, e := range edit {
				cl = e(cl)
			}
			return cl
		})
	}
}

// authServer serves remember.wasm (one instance: what a call stores, the
// next call sees) with callers alice (remember.*, system.multicall), bob
// (system.*) and nothing for anonymous callers.
func authServer(t *testing.T, adjust ...func(Config) Config) (*Host, *httptest.Server) {
	t.Helper()
	adjust = append([]func(Config) Config{
		withCaller("alice", "alice-token", []string{"remember.*", "system.multicall"}),
		withCaller("bob", "bob-token", []string{"system.*"}),
		func(c Config) Config { return c.WithAnonymous([]string{}).WithPoolSize(1) },
	}, adjust...)
	h, _ := newTestHost(t, map[string][]byte{"remember.wasm": fixture(t, "remember")}, adjust...)
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	return h, srv
}

// rpc posts one call with an Authorization header ("" for none) and
// returns the status, the value or fault, and the response's headers.
func authRPC(t *testing.T, srv *httptest.Server, auth, method string, params ...any) (int, any, error, http.Header) {
	t.Helper()
	body, err := xmlrpc.AppendRequest(nil, method, params)
	if err != nil {
		t.Fatal(err)
	}
	var hdr []string
	if auth != "" {
		hdr = []string{"Authorization", auth}
	}
	resp := post(t, srv, "/RPC2", body, hdr...)
	data, _ := io.ReadAll(resp.Body)
	v, err := xmlrpc.ParseResponse(data, xmlrpc.DefaultLimits())
	return resp.StatusCode, v, err, resp.Header
}

func codeOf(err error) int {
	if f := FaultOf(err); f != nil {
		return f.Code
	}
	return 0
}

func TestCallersAreAuthenticatedBeforeAnyWasmRuns(t *testing.T) {
	_, srv := authServer(t)
	alice := "Basic " + basic("alice", "alice-token")
	// alice stores 1 in the only instance.
	if st, _, err, _ := authRPC(t, srv, alice, "remember.remember", int64(1)); st != 200 || err != nil {
		t.Fatalf("alice: %d %v", st, err)
	}
	refused := []struct {
		auth   string
		status int
		code   int
	}{
		{"", http.StatusUnauthorized, CodeUnauthenticated},                                                   // no credentials, anonymous may call nothing
		{"Bearer wrong", http.StatusUnauthorized, CodeUnauthenticated},                                       // a token of no caller
		{"Basic " + basic("alice", "alice-tokeN"), http.StatusUnauthorized, CodeUnauthenticated},             // one byte off
		{"Basic " + basic("bob", "alice-token"), http.StatusUnauthorized, CodeUnauthenticated},               // alice's token under bob's name
		{"Basic " + basic("bob", "bob-token"), http.StatusOK, CodeNotPermitted},                              // known, not allowed
		{"Bearer bob-token", http.StatusOK, CodeNotPermitted},                                                // the same by Bearer
		{"Basic " + basic("nobody", "alice-token"), http.StatusUnauthorized, CodeUnauthenticated},            // no such caller
		{"Basic " + basic("alice", ""), http.StatusUnauthorized, CodeUnauthenticated},                        // empty token
		{"Basic " + basic("alice", strings.Repeat("x", 4000)), http.StatusUnauthorized, CodeUnauthenticated}, // long token
	}
	for _, c := range refused {
		st, _, err, hdr := authRPC(t, srv, c.auth, "remember.remember", int64(99))
		if st != c.status || codeOf(err) != c.code {
			t.Errorf("auth %.40q: status %d fault %v, want %d and code %d", c.auth, st, err, c.status, c.code)
		}
		if st == http.StatusUnauthorized && hdr.Get("WWW-Authenticate") != `Basic realm="rpchost", charset="UTF-8"` {
			t.Errorf("auth %.40q: 401 with WWW-Authenticate %q", c.auth, hdr.Get("WWW-Authenticate"))
		}
	}
	// None of the refused calls reached the instance: it still holds 1.
	_, v, err, _ := authRPC(t, srv, "Bearer alice-token", "remember.remember", int64(2))
	if err != nil || fmt.Sprint(v) != "[1 1]" {
		t.Errorf("after the refused calls, remember returned %v %v; want [1 1], what alice stored", v, err)
	}
}

func TestListMethodsShowsACallerOnlyWhatItMayCall(t *testing.T) {
	_, srv := authServer(t, withCaller("carol", "carol-token", []string{"system.listMethods", "remember"}),
		func(c Config) Config { return c.WithAliases(map[string]string{"remember": "remember.remember"}) })
	_, v, err, _ := authRPC(t, srv, "Bearer carol-token", "system.listMethods")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(v); got != "[remember system.listMethods]" {
		t.Errorf("carol lists %s; want only what she may call", got)
	}
	// The bare name stands for remember.remember: a pattern matching either passes.
	if _, _, err, _ := authRPC(t, srv, "Bearer carol-token", "remember", int64(3)); err != nil {
		t.Errorf("carol calling the bare name she is allowed: %v", err)
	}
	_, v, err, _ = authRPC(t, srv, "Bearer bob-token", "system.listMethods")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range v.([]any) {
		if !strings.HasPrefix(name.(string), "system.") {
			t.Errorf("bob (system.*) is shown %s", name)
		}
	}
	// Help on a method bob may not call is as for a method that does not exist.
	if _, _, err, _ := authRPC(t, srv, "Bearer bob-token", "system.methodHelp", "remember.remember"); codeOf(err) != -32601 {
		t.Errorf("bob asking for help on remember.remember: %v, want -32601", err)
	}
}

func TestMulticallChecksEachCall(t *testing.T) {
	_, srv := authServer(t)
	mc := []any{
		abi.Struct{{Name: "methodName", Value: "remember.remember"}, {Name: "params", Value: []any{int64(7)}}},
		abi.Struct{{Name: "methodName", Value: "system.listMethods"}, {Name: "params", Value: []any{}}},
	}
	_, v, err, _ := authRPC(t, srv, "Bearer alice-token", "system.multicall", mc)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(v)
	if !strings.HasPrefix(got, "[[[0 0]] [{faultCode -32010}") {
		t.Errorf("alice's multicall: %s; want remember's result and a -32010 fault for system.listMethods", got)
	}
	// bob may call system.multicall, but not what is inside.
	_, v, err, _ = authRPC(t, srv, "Bearer bob-token", "system.multicall", mc[:1])
	if err != nil || !strings.Contains(fmt.Sprint(v), strconv.Itoa(CodeNotPermitted)) {
		t.Errorf("bob's multicall of remember: %v %v; want a -32010 entry", v, err)
	}
}

func TestPluginListingNeedsWhatPluginsListNeeds(t *testing.T) {
	_, srv := authServer(t, withCaller("ops", "ops-token", []string{"plugins.list"}))
	for auth, want := range map[string]int{"": 401, "Bearer bob-token": 403, "Bearer ops-token": 200} {
		req, _ := http.NewRequest("GET", srv.URL+"/plugins", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET /plugins with %q: %d, want %d", auth, resp.StatusCode, want)
		}
	}
}

func TestAnonymousDefaultIsEverything(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"remember.wasm": fixture(t, "remember")})
	if !h.auth.open {
		t.Error("the default configuration checks calls; it should cost nothing")
	}
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	// As before: any credentials, or none, call anything.
	for _, auth := range []string{"", "Bearer whatever", "Basic " + basic("x", "y")} {
		if st, _, err, _ := authRPC(t, srv, auth, "remember.remember", int64(1)); st != 200 || err != nil {
			t.Errorf("auth %q: %d %v", auth, st, err)
		}
	}
	if got := NewConfig().Anonymous(); !slices.Equal(got, []string{"*"}) {
		t.Errorf("auth.anonymous defaults to %v", got)
	}
}

func TestAnonymousMayBeGivenSomeMethods(t *testing.T) {
	_, srv := authServer(t, func(c Config) Config { return c.WithAnonymous([]string{"system.listMethods"}) })
	_, v, err, _ := authRPC(t, srv, "", "system.listMethods")
	if err != nil || fmt.Sprint(v) != "[system.listMethods]" {
		t.Errorf("anonymous listMethods: %v %v", v, err)
	}
	if st, _, err, _ := authRPC(t, srv, "", "remember.remember", int64(1)); st != 401 || codeOf(err) != CodeUnauthenticated {
		t.Errorf("anonymous remember: %d %v", st, err)
	}
}

func TestCallerRateLimit(t *testing.T) {
	_, srv := authServer(t, withCaller("alice", "alice-token", []string{"remember.*"}, func(c Caller) Caller {
		c.Rate = Rate{PerSecond: 1.0 / 3600, Burst: 2}
		return c
	}))
	for i := range 2 {
		if st, _, err, _ := authRPC(t, srv, "Bearer alice-token", "remember.remember", int64(i)); st != 200 || err != nil {
			t.Fatalf("call %d within the burst: %d %v", i, st, err)
		}
	}
	st, _, err, hdr := authRPC(t, srv, "Bearer alice-token", "remember.remember", int64(9))
	retry, _ := strconv.Atoi(hdr.Get("Retry-After"))
	if st != http.StatusTooManyRequests || codeOf(err) != CodeRateLimited || retry < 1000 || retry > 3600 {
		t.Errorf("past the burst: %d %v Retry-After %q; want 429, -32011 and about an hour", st, err, hdr.Get("Retry-After"))
	}
	// bob has no rate: alice's bucket is hers alone.
	if st, _, err, _ := authRPC(t, srv, "Bearer bob-token", "system.listMethods"); st != 200 || err != nil {
		t.Errorf("bob: %d %v", st, err)
	}
}

func TestAnonymousRateIsPerAddress(t *testing.T) {
	h, _ := newTestHost(t, nil, func(c Config) Config {
		return c.WithAnonymousRate(Rate{PerSecond: 1.0 / 3600, Burst: 1})
	})
	call := func(remote string) error {
		r := httptest.NewRequest("POST", "/RPC2", nil)
		r.RemoteAddr = remote
		_, err := h.Call(withFrontEnd(withToken(context.Background(), r), FrontEndXMLRPC), "system.listMethods", nil)
		return err
	}
	if err := call("192.0.2.1:1"); err != nil {
		t.Fatal(err)
	}
	if err := call("192.0.2.1:2"); !errors.Is(err, ErrRateLimited) {
		t.Errorf("the same address from another port: %v, want ErrRateLimited", err)
	}
	if err := call("192.0.2.2:1"); err != nil {
		t.Errorf("another address: %v", err)
	}
	if err := call("[2001:db8::1]:1"); err != nil {
		t.Fatal(err)
	}
	if err := call("[2001:db8::2]:1"); !errors.Is(err, ErrRateLimited) {
		t.Errorf("another address of the same /64: %v, want ErrRateLimited", err)
	}
	// A Go program calling Host directly is trusted, and never limited.
	for range 3 {
		if _, err := h.Call(context.Background(), "system.listMethods", nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAnonymousLimitersAreBounded: an attacker with a hundred thousand
// addresses cannot grow the map of buckets past its bound; the addresses
// past it share one bucket, and the addresses already tracked keep theirs.
func TestAnonymousLimitersAreBounded(t *testing.T) {
	const bound = 1000
	a := newAddrLimiters(Rate{PerSecond: 1, Burst: 1}, bound)
	now := time.Now()
	if ok, _ := a.take("198.51.100.7:1", now); !ok {
		t.Fatal("the first call of an address is refused")
	}
	admitted := 0
	for i := range 100000 {
		remote := fmt.Sprintf("[2001:db8:%x:%x::1]:80", i>>16, i&0xffff)
		if ok, _ := a.take(remote, now); ok {
			admitted++
		}
	}
	if n := a.size(); n > bound {
		t.Errorf("%d addresses tracked, bound %d", n, bound)
	}
	// bound-1 new addresses got buckets of their own, one more the shared one.
	if admitted != bound {
		t.Errorf("%d of 100,000 new addresses admitted at once; want %d", admitted, bound)
	}
	if ok, _ := a.take("198.51.100.7:1", now); ok {
		t.Error("the tracked address's bucket was reset by the flood")
	}
	// A second later every bucket is full again: they are dropped, and
	// new addresses get buckets of their own.
	later := now.Add(2 * 1e9)
	if ok, _ := a.take("203.0.113.9:1", later); !ok || a.size() != 1 {
		t.Errorf("after the buckets refilled: admitted %v, %d tracked; want true, 1", ok, a.size())
	}
	t.Logf("bound %d addresses; %d admitted out of 100,000", bound, admitted)
}

// TestAnonymousLimiterMemory measures what one tracked address costs, the
// figure README's Configuration table gives for auth.anonymous_max_addresses.
func TestAnonymousLimiterMemory(t *testing.T) {
	const n = 10000
	a := newAddrLimiters(Rate{PerSecond: 1}, n)
	now := time.Now()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		a.take(fmt.Sprintf("10.%d.%d.%d:1", i>>16, (i>>8)&0xff, i&0xff), now)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%d addresses: %.0f bytes each", a.size(), per)
	if a.size() != n || per > 400 {
		t.Errorf("%d addresses, %.0f bytes each; README says about 200 (bound 400)", a.size(), per)
	}
	runtime.KeepAlive(a)
}

func TestCallerWithAdminRightUploads(t *testing.T) {
	h, _ := newTestHost(t, nil, withCaller("ops", "ops-token", []string{"system.*"}, func(c Caller) Caller { c.Admin = true; return c }),
		withCaller("dev", "dev-token", []string{"*"}))
	ctx := func(token string) context.Context {
		return withFrontEnd(adminCtx(token), FrontEndXMLRPC)
	}
	if _, err := h.Call(ctx("ops-token"), "plugins.upload", []any{"up", fixture(t, "answer1")}); err != nil {
		t.Fatalf("ops (admin right, no admin.token set): %v", err)
	}
	if _, err := h.Call(ctx("dev-token"), "plugins.remove", []any{"up"}); !errors.Is(err, ErrAdminDisabled) {
		t.Errorf("dev (no admin right): %v, want ErrAdminDisabled", err)
	}
}

func TestAdminTokenStillWorksBesideCallers(t *testing.T) {
	h, _ := newTestHost(t, nil, withTestAdmin, withCaller("dev", "dev-token", []string{"add"}))
	ctx := withFrontEnd(adminCtx(testToken), FrontEndXMLRPC)
	if _, err := h.Call(ctx, "plugins.upload", []any{"up", fixture(t, "answer1")}); err != nil {
		t.Fatalf("the admin token with callers configured: %v", err)
	}
}

func TestFrontEndWithoutItsRequestIsAnonymous(t *testing.T) {
	h, _ := newTestHost(t, nil, func(c Config) Config { return c.WithAnonymous(nil) })
	_, err := h.Call(withFrontEnd(context.Background(), "jsonrpc"), "system.listMethods", nil)
	if !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("a front end that did not record its request: %v, want ErrUnauthenticated", err)
	}
}

func TestMatchPattern(t *testing.T) {
	cases := []struct {
		p, name string
		want    bool
	}{
		{"add", "add", true},
		{"add", "adds", false},
		{"add", "numeric.add", false},
		{"records.*", "records.ingest", true},
		{"records.*", "records.v2.ingest", true},
		{"records.*", "records", false},
		{"records.*", "recordsx.ingest", false},
		{"*", "anything.at.all", true},
		{"*.add", "numeric.add", true},
		{"*.add", "numeric.adder", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{"system.*", "System.listMethods", false},
	}
	for _, c := range cases {
		if got := matchPattern(c.p, c.name); got != c.want {
			t.Errorf("matchPattern(%q, %q) = %v", c.p, c.name, got)
		}
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{"10/s": 10, "300/m": 5, "3600/h": 1, "0.5/s": 0.5, "": 0, "0": 0} {
		r, err := ParseRate(in)
		if err != nil || r.PerSecond != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, r, err, want)
		}
	}
	for _, bad := range []string{"10", "10/d", "-1/s", "x/s", "Inf/s", "NaN/s", "0/s"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
	if b := (Rate{PerSecond: 2.5}).burst(); b != 3 {
		t.Errorf("default burst of 2.5/s: %d, want 3", b)
	}
}

func TestAuthConfigValidation(t *testing.T) {
	cfg := NewConfig().WithPluginDir(t.TempDir()).
		WithCaller("Bad Name", func(c Caller) Caller { c.TokenSHA256 = hashOf("x"); return c }).
		WithCaller("short", func(c Caller) Caller { c.TokenSHA256 = "abcd"; return c }).
		WithCaller("pat", func(c Caller) Caller { c.TokenSHA256 = hashOf("y"); c.Allow = []string{"records.<all>"}; return c }).
		WithAnonymous([]string{""}).
		WithAnonymousMaxAddresses(0)
	_, err := New(context.Background(), cfg)
	for _, want := range []string{"auth.callers.Bad Name", "auth.callers.short.token_sha256", "auth.callers.pat.allow", "auth.anonymous:", "auth.anonymous_max_addresses"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New: %v; want it to name %s", err, want)
		}
	}
}

func TestTokenHashIsSHA256(t *testing.T) {
	// What rpchost hash-token prints and the config holds: the hex SHA-256
	// of the token's bytes, nothing added.
	if got := hashOf("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("hash of abc: %s", got)
	}
}

// BenchmarkAdmitCall is the check a call pays with callers configured
// (basic auth, ten callers, a rate), against the default's nothing.
func BenchmarkAdmitCall(b *testing.B) {
	adjust := []func(Config) Config{}
	for i := range 10 {
		adjust = append(adjust, withCaller(fmt.Sprintf("c%d", i), fmt.Sprintf("token-%d", i), []string{"system.*"}, func(c Caller) Caller {
			c.Rate = Rate{PerSecond: 1e9}
			return c
		}))
	}
	h, _ := newTestHost(b, nil, adjust...)
	r := httptest.NewRequest("POST", "/RPC2", nil)
	r.SetBasicAuth("c9", "token-9")
	ctx := withFrontEnd(withToken(context.Background(), r), FrontEndXMLRPC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.admitCall(ctx, "system.listMethods"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCallerChecksAreSafeConcurrently runs the checks of callers and
// anonymous addresses from many goroutines at once (go test -race).
func TestCallerChecksAreSafeConcurrently(t *testing.T) {
	h, _ := newTestHost(t, nil, withCaller("alice", "alice-token", []string{"system.*"}, func(c Caller) Caller {
		c.Rate = Rate{PerSecond: 1e6, Burst: 1000}
		return c
	}), func(c Config) Config {
		return c.WithAnonymousRate(Rate{PerSecond: 1e6}).WithAnonymousMaxAddresses(50)
	})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				r := httptest.NewRequest("POST", "/RPC2", nil)
				r.RemoteAddr = fmt.Sprintf("192.0.2.%d:1", (g*200+i)%256)
				if i%2 == 0 {
					r.SetBasicAuth("alice", "alice-token")
				}
				ctx := withFrontEnd(withToken(context.Background(), r), FrontEndXMLRPC)
				if _, err := h.Call(ctx, "system.listMethods", nil); err != nil && !errors.Is(err, ErrRateLimited) {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := h.auth.anonRate.size(); n > 50 {
		t.Errorf("%d addresses tracked, bound 50", n)
	}
}

func TestCallersWithEverythingAnonymousAreWarnedOf(t *testing.T) {
	_, logs := newTestHost(t, nil, withCaller("alice", "alice-token", []string{"add"}))
	if !strings.Contains(logs.String(), "auth.anonymous lets callers without credentials call everything") {
		t.Errorf("no warning:\n%s", logs.String())
	}
	_, logs = newTestHost(t, nil, withCaller("alice", "alice-token", []string{"add"}), func(c Config) Config { return c.WithAnonymous(nil) })
	if strings.Contains(logs.String(), "auth.anonymous lets") {
		t.Errorf("a warning with anonymous restricted:\n%s", logs.String())
	}
}

// TestOtherFrontEndsRefuseAsXMLRPCDoes: JSON-RPC answers a refused caller
// with the same statuses, and the page lists only what the caller may call.
func TestOtherFrontEndsRefuseAsXMLRPCDoes(t *testing.T) {
	_, srv := authServer(t)
	call := []byte(`{"jsonrpc":"2.0","method":"remember.remember","params":[5],"id":1}`)
	resp := post(t, srv, "/jsonrpc", call)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" ||
		!strings.Contains(string(body), strconv.Itoa(CodeUnauthenticated)) {
		t.Errorf("JSON-RPC without credentials: %d %q %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	resp = post(t, srv, "/jsonrpc", call, "Authorization", "Bearer bob-token")
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), strconv.Itoa(CodeNotPermitted)) {
		t.Errorf("JSON-RPC by bob: %d %s", resp.StatusCode, body)
	}
	page := func(auth string) string {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
		req.Header.Set("Accept", "text/html")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if p := page("Bearer alice-token"); !strings.Contains(p, "remember.remember") {
		t.Errorf("alice's page does not list remember.remember")
	}
	if p := page("Bearer bob-token"); strings.Contains(p, "remember.remember") || !strings.Contains(p, "system.listMethods") {
		t.Errorf("bob's page lists remember.remember or misses system.*")
	}
	if p := page(""); strings.Contains(p, "remember") {
		t.Errorf("the anonymous page shows the remember plugin")
	}
}
