package host

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAccessLogIsOffByDefault(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	if _, err := h.Call(context.Background(), "calc.add", []any{int64(1), int64(2)}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "msg=call ") {
		t.Errorf("an access log line without log.access:\n%s", logs)
	}
}

func TestAccessLogHasOneLinePerCall(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")}, func(c Config) Config { return c.WithAccessLog(true) })
	if _, err := h.Call(context.Background(), "add", []any{int64(1), int64(2)}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/RPC2", strings.NewReader(
		`<?xml version="1.0"?><methodCall><methodName>calc.crash</methodName></methodCall>`))
	req.RemoteAddr = "192.0.2.7:4321"
	h.Handler().ServeHTTP(httptest.NewRecorder(), req)
	long := strings.Repeat("x", 10_000)
	_, _ = h.Call(context.Background(), long, nil)

	var lines []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "msg=call ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("%d access log lines for 3 calls:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for i, want := range [][]string{
		{"remote=in-process", "front_end=in-process", "method=add", "target=calc.add", "outcome=result", "duration="},
		{"remote=192.0.2.7:4321", "front_end=xmlrpc", "method=calc.crash", "outcome=fault", "code=-32000", "duration="},
		{"method=" + strings.Repeat("x", maxLoggedMethod) + "…", "code=-32601"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d lacks %q: %s", i, w, lines[i][:min(len(lines[i]), 400)])
			}
		}
	}
	if len(lines[2]) > 1000 {
		t.Errorf("a 10,000-byte method name made a %d-byte line", len(lines[2]))
	}
}

func TestAccessLogNamesTheCaller(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")},
		withCaller("alice", "alice-token", []string{"calc.*"}),
		func(c Config) Config { return c.WithAnonymous([]string{}).WithAccessLog(true) })
	for _, auth := range []string{"Bearer alice-token", ""} {
		req := httptest.NewRequest(http.MethodPost, "/RPC2", strings.NewReader(
			`<?xml version="1.0"?><methodCall><methodName>calc.add</methodName><params><param><value><int>1</int></value></param><param><value><int>2</int></value></param></params></methodCall>`))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		h.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}
	if !strings.Contains(logs.String(), "caller=alice") || !strings.Contains(logs.String(), "caller=anonymous") {
		t.Errorf("the access log does not name alice and the anonymous caller:\n%s", logs)
	}
}
