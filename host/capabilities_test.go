package host

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func withStore(t testing.TB) func(Config) Config {
	dir := t.TempDir()
	return func(c Config) Config { return c.WithStore(StoreConfig{Driver: "bbolt", Target: dir}) }
}

func callInt(t *testing.T, h *Host, method string) int64 {
	t.Helper()
	v, err := h.Call(context.Background(), method, nil)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	n, ok := v.(int64)
	if !ok {
		t.Fatalf("%s = %#v, want an int", method, v)
	}
	return n
}

func TestWritesAreKeptOnlyWhenTheCallSucceeds(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"p1.wasm": fixture(t, "kv"), "p2.wasm": fixture(t, "kv")}, withStore(t))
	ctx := context.Background()

	if got := callInt(t, h, "p1.get_a"); got != -1 {
		t.Fatalf("get_a on an empty store = %d, want -1", got)
	}
	if got := callInt(t, h, "p1.put_a"); got != 0 {
		t.Fatalf("put_a = %d, want 0", got)
	}
	if got := callInt(t, h, "p1.get_a"); got != 1 {
		t.Errorf("get_a after a successful put_a = %d, want 1 (committed)", got)
	}
	if got := callInt(t, h, "p2.get_a"); got != -1 {
		t.Errorf("p2.get_a = %d: another plugin reached p1's key", got)
	}

	_, err := h.Call(ctx, "p1.put_b_then_crash", nil)
	if toFault(err).Code != CodeTrap {
		t.Fatalf("put_b_then_crash: %v, want a trap", err)
	}
	if got := callInt(t, h, "p1.get_b"); got != -1 {
		t.Errorf("get_b after a call that trapped = %d, want -1 (its write discarded)", got)
	}
	if got := callInt(t, h, "p1.put_b_then_read"); got != 1 {
		t.Errorf("a call reading its own write got %d, want 1", got)
	}
	if got := callInt(t, h, "p1.put_empty_key"); got > -2 {
		t.Errorf("put with an empty key = %d, want a failure (<= -2)", got)
	}
	if now := callInt(t, h, "p1.now"); time.Since(time.Unix(0, now)).Abs() > time.Minute {
		t.Errorf("time_now = %v, want about now", time.Unix(0, now))
	}
}

func TestWritesSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	st := func(c Config) Config { return c.WithStore(StoreConfig{Driver: "bbolt", Target: dir}) }
	files := map[string][]byte{"p1.wasm": fixture(t, "kv")}
	h, _ := newTestHost(t, files, st)
	callInt(t, h, "p1.put_a")
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	h2, _ := newTestHost(t, files, st)
	if got := callInt(t, h2, "p1.get_a"); got != 1 {
		t.Errorf("get_a after a restart = %d, want 1", got)
	}
}

func TestCapabilitiesAreGrantedPerPlugin(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"p1.wasm": fixture(t, "kv"), "calc.wasm": fixture(t, "calc")}, withStore(t),
		func(c Config) Config { return c.WithPluginGrants("p1", []string{"log", "time"}) })
	if len(h.Plugins()) != 1 {
		t.Errorf("plugins %+v: p1 imports kv without the grant and must be refused", h.Plugins())
	}
	if !strings.Contains(logs.String(), `needs the \"kv\" grant`) {
		t.Errorf("the log does not say which grant is missing:\n%s", logs.String())
	}
}

func TestKVWithoutAStoreIsRefusedAtLoad(t *testing.T) {
	_, logs := newTestHost(t, map[string][]byte{"p1.wasm": fixture(t, "kv")})
	if !strings.Contains(logs.String(), "no store is configured") {
		t.Errorf("the log does not say the store is missing:\n%s", logs.String())
	}
}

func TestUnknownGrantIsAConfigurationError(t *testing.T) {
	_, err := New(context.Background(), NewConfig().WithPluginDir(t.TempDir()).WithPluginGrants("p", []string{"network"}))
	if err == nil || !strings.Contains(err.Error(), `unknown grant "network"`) {
		t.Errorf("New = %v, want an error naming the unknown grant", err)
	}
}

// Concurrent calls that read and write the same key lose no update: a
// commit whose reads were overtaken runs the call again.
func TestConcurrentReadModifyWriteLosesNothing(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"p1.wasm": fixture(t, "kv")}, withStore(t),
		func(c Config) Config { return c.WithPoolSize(4).WithCallTimeout(30 * time.Second) })
	const workers, each = 8, 25
	callConcurrently(t, h, "p1.incr", workers, each)
	if got := callInt(t, h, "p1.incr"); got != workers*each+1 {
		t.Errorf("counter = %d after %d concurrent increments and one more, want %d", got, workers*each, workers*each+1)
	}
}

// A call run again after a write conflict logs its guest's lines again:
// those of a re-run carry attempt=N, and each re-run is announced, so one
// call's lines do not read as two calls'.
func TestRetriedAttemptsMarkTheirLogLines(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"p1.wasm": fixture(t, "kv")}, withStore(t),
		func(c Config) Config { return c.WithPoolSize(4).WithCallTimeout(30 * time.Second) })
	const workers, each = 8, 25
	calls := 0
	// Conflicts depend on scheduling: run rounds until one happened.
	for round := 0; round < 20 && !strings.Contains(logs.String(), "call retried"); round++ {
		callConcurrently(t, h, "p1.incr_logged", workers, each)
		calls += workers * each
	}
	var plain, marked, retries int
	for _, line := range strings.Split(logs.String(), "\n") {
		switch {
		case strings.Contains(line, "msg=incr ") && strings.Contains(line, " attempt="):
			marked++
		case strings.Contains(line, "msg=incr "):
			plain++
		case strings.Contains(line, "msg=\"call retried"):
			retries++
			if !strings.Contains(line, "method=incr_logged") || !strings.Contains(line, "attempt=") {
				t.Errorf("the retry line does not name the method and the attempt: %s", line)
			}
		}
	}
	t.Logf("%d calls, %d re-runs", calls, retries)
	if retries == 0 {
		t.Fatalf("no write conflict in %d concurrent calls", calls)
	}
	if plain != calls || marked != retries {
		t.Errorf("%d calls with %d re-runs logged %d unmarked and %d attempt=N lines, want %d and %d",
			calls, retries, plain, marked, calls, retries)
	}
	if got := callInt(t, h, "p1.get_a"); got != 8 {
		t.Errorf("counter value has %d bytes, want 8", got)
	}
}

// callConcurrently calls method (no params) each times from each of
// workers goroutines at once, and waits for them.
func callConcurrently(t *testing.T, h *Host, method string, workers, each int) {
	t.Helper()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := h.Call(context.Background(), method, nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
