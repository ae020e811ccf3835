package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

func TestEveryAdminAttemptIsOneLogLine(t *testing.T) {
	h, logs := newTestHost(t, nil, withTestAdmin)
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	do := func(method, path, auth string, body []byte) {
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	rpc := func(auth, method string, params ...any) {
		body, _ := xmlrpc.AppendRequest(nil, method, params)
		do("POST", "/RPC2", auth, body)
	}
	good := fixture(t, "answer1")
	attempts := []struct {
		run  func()
		line string
	}{
		{func() { do("PUT", "/plugins/up.wasm", "", good) }, `msg="admin upload" remote=127.0.0.1:\d+ caller=anonymous plugin=up.wasm outcome="refused: missing token"$`},
		{func() { do("PUT", "/plugins/up.wasm", "nope", good) }, `msg="admin upload" remote=127.0.0.1:\d+ caller=anonymous plugin=up.wasm outcome="refused: wrong token"$`},
		{func() { do("PUT", "/plugins/my-up.wasm", testToken, good) }, `msg="admin upload" remote=127.0.0.1:\d+ caller=admin plugin=my-up.wasm outcome="refused: name" size=\d+ sha256=[0-9a-f]{64} reason=".*has '-'.*"$`},
		{func() { do("PUT", "/plugins/up.wasm", testToken, []byte("nope")) }, `msg="admin upload" remote=127.0.0.1:\d+ caller=admin plugin=up.wasm outcome="refused: module" size=4 sha256=[0-9a-f]{64} reason=".*magic bytes.*"$`},
		{func() { do("PUT", "/plugins/up.wasm", testToken, good) }, `msg="admin upload" remote=127.0.0.1:\d+ caller=admin plugin=up.wasm outcome=accepted version=1 size=\d+ sha256=[0-9a-f]{64}$`},
		{func() { rpc("", "plugins.remove", "up") }, `msg="admin remove" remote=127.0.0.1:\d+ caller=anonymous plugin=up outcome="refused: missing token"$`},
		{func() { rpc("guess", "plugins.upload", "up", good) }, `msg="admin upload" remote=127.0.0.1:\d+ caller=anonymous plugin=up outcome="refused: wrong token"$`},
		{func() { rpc(testToken, "plugins.remove", "up") }, `msg="admin remove" remote=127.0.0.1:\d+ caller=admin plugin=up outcome=accepted version=1 size=\d+ sha256=[0-9a-f]{64}$`},
		{func() { do("DELETE", "/plugins/up.wasm", testToken, nil) }, `msg="admin remove" remote=127.0.0.1:\d+ caller=admin plugin=up.wasm outcome="refused: no such plugin" reason=.*$`},
	}
	for _, a := range attempts {
		before := len(adminLines(logs.String()))
		a.run()
		lines := adminLines(logs.String())[before:]
		if len(lines) != 1 || !logLineMatches(lines[0], a.line) {
			t.Errorf("attempt logged %q, want one line matching %s", lines, a.line)
		}
	}
}

func adminLines(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, `msg="admin `) {
			out = append(out, l)
		}
	}
	return out
}

func logLineMatches(line, pattern string) bool {
	_, after, _ := strings.Cut(line, " level=")
	_, rest, ok := strings.Cut(after, " ")
	return ok && regexpMatch(pattern, rest)
}

func TestAnEmbedderUploadsAndRemovesWithoutAToken(t *testing.T) {
	h, logs := newTestHost(t, nil) // no admin token: the network cannot administer
	info, err := h.Upload(context.Background(), "up", fixture(t, "answer1"))
	if err != nil || info.Version != 1 {
		t.Fatalf("in-process Upload: %+v, %v", info, err)
	}
	if v, err := h.Call(context.Background(), "up.answer", nil); err != nil || v != int64(1) {
		t.Errorf("up.answer = %v, %v", v, err)
	}
	if err := h.Remove(context.Background(), "up"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `msg="admin upload" remote=in-process caller=in-process plugin=up outcome=accepted`) {
		t.Errorf("the in-process upload is not in the trail:\n%s", logs)
	}
	// The same procedure over the network stays refused.
	if _, err := h.Call(adminCtx("x"), "plugins.upload", []any{"up", fixture(t, "answer1")}); !errors.Is(err, ErrAdminDisabled) {
		t.Errorf("plugins.upload without a configured token: %v, want ErrAdminDisabled", err)
	}
}

func TestFaultOfClassifiesWhatCallReturns(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	ctx := context.Background()
	_, trap := h.Call(ctx, "calc.crash", nil)
	_, timeout := h.Call(ctx, "calc.spin", nil)
	_, params := h.Call(ctx, "calc.add", []any{"x", int64(1)})
	_, missing := h.Call(ctx, "calc.nope", nil)
	cases := []struct {
		err      error
		sentinel error
		code     int
	}{
		{trap, ErrTrap, CodeTrap},
		{timeout, ErrTimeout, CodeTimeout},
		{params, nil, abi.CodeInvalidParams},
		{missing, ErrMethodNotFound, abi.CodeMethodNotFound},
	}
	for _, c := range cases {
		if c.sentinel != nil && !errors.Is(c.err, c.sentinel) {
			t.Errorf("%v is not %v", c.err, c.sentinel)
		}
		if f := FaultOf(c.err); f == nil || f.Code != c.code {
			t.Errorf("FaultOf(%v) = %+v, want code %d", c.err, f, c.code)
		}
	}
	if FaultOf(nil) != nil {
		t.Error("FaultOf(nil) is not nil")
	}
}

// Upload racing Close: whichever wins, no plugin is left registered on a
// closed host, and an upload that lost says ErrClosed.
func TestUploadRacingCloseRegistersNothingOnAClosedHost(t *testing.T) {
	outcomes := map[string]int{}
	for i := 0; i < 40; i++ {
		h, _ := newTestHost(t, nil)
		var wg sync.WaitGroup
		var uploadErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, uploadErr = h.Upload(context.Background(), "up", fixture(t, "answer1"))
		}()
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 50 * time.Microsecond) // from before the compile to after the install
			_ = h.Close(context.Background())
		}()
		wg.Wait()
		outcomes[fmt.Sprint(uploadErr)]++
		if uploadErr != nil && !errors.Is(uploadErr, ErrClosed) {
			t.Errorf("round %d: upload failed with %v, want nil or ErrClosed", i, uploadErr)
		}
		if p := h.Plugins(); len(p) != 0 {
			t.Errorf("round %d: a closed host lists %+v", i, p)
		}
		if _, ok := h.registry.Lookup("up.answer"); ok {
			t.Errorf("round %d: up.answer is registered on a closed host", i)
		}
		if _, err := h.Upload(context.Background(), "up2", fixture(t, "answer1")); !errors.Is(err, ErrClosed) {
			t.Errorf("round %d: upload after Close: %v, want ErrClosed", i, err)
		}
		if err := h.Remove(context.Background(), "up"); !errors.Is(err, ErrClosed) {
			t.Errorf("round %d: remove after Close: %v, want ErrClosed", i, err)
		}
	}
	t.Logf("upload outcomes: %v", outcomes)
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile("^" + pattern).MatchString(s) }
