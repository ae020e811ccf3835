package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestPrepareAndCheck: every request sent is the one Prepare wrote (the
// server sees each number once), and Check, not Want, judges responses.
func TestPrepareAndCheck(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[string(body)]++
		mu.Unlock()
		fmt.Fprintf(w, "echo %s", body)
	}))
	defer srv.Close()
	var next, prepared atomic.Uint64
	cfg := quick(srv.Listener.Addr().String())
	cfg.Body = []byte("000000")
	cfg.Want = -1 // would fail every response were it used
	cfg.Prepare = func(body []byte) {
		n := next.Add(1)
		prepared.Add(1)
		copy(body, fmt.Sprintf("%06d", n))
	}
	cfg.Check = func(body []byte) error {
		if len(body) != len("echo 000000") {
			return errors.New("short")
		}
		return nil
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.ErrorCount() != 0 {
		t.Fatalf("%d requests, errors %v (%s)", res.Requests, res.Errors, res.FirstError)
	}
	mu.Lock()
	defer mu.Unlock()
	if uint64(len(seen)) != prepared.Load() {
		t.Errorf("%d requests prepared, the server saw %d distinct ones", prepared.Load(), len(seen))
	}
	for body, n := range seen {
		if n != 1 || body == "000000" {
			t.Errorf("the server saw %q %d times", body, n)
		}
	}
}
