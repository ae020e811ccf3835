package host

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi"
)

// A call to a method of a plugin whose file was refused at load says that
// the file was refused and why, still as -32601 / ErrMethodNotFound; a name
// no file has gets the plain fault. Neither ends in the sentinel's text.
func TestCallingARefusedPluginSaysItWasRefused(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{
		"startloop.wasm": fixture(t, "loop_start"),
		"broken.wasm":    []byte("\x00asm garbage"),
		"calc.wasm":      fixture(t, "calc"),
	}, withLoadTimeout)
	for _, tc := range []struct{ method, says, why string }{
		{"startloop.x", `no method "startloop.x": the file startloop.wasm was refused at load: `,
			"start function did not finish within 300ms (limits.load_timeout)"},
		{"broken.add", `no method "broken.add": the file broken.wasm was refused at load: `, "not a wasm 1.0 binary module"},
		{"nosuch.add", `no method "nosuch.add"; system.listMethods lists the methods served`, ""},
		{"startloop", `no method "startloop"; system.listMethods lists the methods served`, ""},
	} {
		_, err := h.Call(context.Background(), tc.method, nil)
		if !errors.Is(err, ErrMethodNotFound) {
			t.Fatalf("%s: got %v, want ErrMethodNotFound", tc.method, err)
		}
		f := FaultOf(err)
		if f.Code != abi.CodeMethodNotFound || !strings.HasPrefix(f.Message, tc.says) || !strings.Contains(f.Message, tc.why) {
			t.Errorf("%s: got fault %d %q, want -32601 starting %q, saying %q", tc.method, f.Code, f.Message, tc.says, tc.why)
		}
		if strings.HasSuffix(f.Message, ErrMethodNotFound.Error()) {
			t.Errorf("%s: the message ends with the sentinel's text: %q", tc.method, f.Message)
		}
		if strings.Contains(f.Message, "refused") && !strings.HasSuffix(f.Message, "; fix it and save it again (GET /plugins lists refused files)") {
			t.Errorf("%s: the message does not say what to do: %q", tc.method, f.Message)
		}
		t.Logf("%s: %s", tc.method, f.Message)
	}
}

// The refusal reason is told only to callers who may call the plugin: the
// allow patterns are checked before the method is looked up.
func TestARefusalIsNotToldToCallersWhoMayNotCallThePlugin(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{
		"broken.wasm": []byte("\x00asm garbage"),
		"calc.wasm":   fixture(t, "calc"),
	}, withCaller("alice", "alice-token", []string{"calc.*"}),
		withCaller("bob", "bob-token", []string{"broken.*"}),
		func(c Config) Config { return c.WithAnonymous([]string{}) })
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		auth, method string
		status, code int
		refused      bool
	}{
		{"", "broken.add", http.StatusUnauthorized, CodeUnauthenticated, false},
		{"Bearer alice-token", "broken.add", http.StatusOK, CodeNotPermitted, false},
		{"Bearer bob-token", "broken.add", http.StatusOK, abi.CodeMethodNotFound, true},
	} {
		status, _, err, _ := authRPC(t, srv, tc.auth, tc.method)
		var f *abi.Fault
		if !errors.As(err, &f) || status != tc.status || f.Code != tc.code || strings.Contains(f.Message, "refused at load") != tc.refused {
			t.Errorf("%q calling %s: got %d %v, want %d, code %d, refusal told %v", tc.auth, tc.method, status, err, tc.status, tc.code, tc.refused)
		}
	}
}

// A long reason (a compiler's) is cut, on a character boundary.
func TestClipBoundsTheReasonAFaultQuotes(t *testing.T) {
	long := strings.Repeat("é", maxReasonInFault)
	got := clip(long, maxReasonInFault)
	if len(got) > maxReasonInFault+len("…") || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("clip gave %d bytes, valid UTF-8 %v: %q", len(got), utf8.ValidString(got), got)
	}
	if clip("short", maxReasonInFault) != "short" {
		t.Error("clip changed a short reason")
	}
}
