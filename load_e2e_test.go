package rpchost_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A module whose start function loops, in the plugin directory at
// start-up: the server still listens and serves add, and says why the
// module was refused (issue 12, break 1). Dropped into the running server's
// directory, it does not stop another plugin copied after it from loading.
func TestLoopingStartModuleDoesNotStopTheServer(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))
	writeFile(t, filepath.Join(dir, "loop.wasm"), readFile(t, "host/testdata/loop_start.wasm"))
	start := time.Now()
	s := startServer(t, dir, "RPCHOST_LIMITS_LOAD_TIMEOUT=1s")
	t.Logf("listening %v after start with a looping start function in the directory (load_timeout 1s)", time.Since(start).Round(time.Millisecond))
	c := dial(t, s.URL)
	var got any
	if err := c.Call("add", []any{3, 4}, &got); err != nil || got != int64(7) {
		t.Fatalf("add(3, 4) = %v, %v", got, err)
	}
	const why = "start function did not finish within 1s (limits.load_timeout)"
	if !strings.Contains(s.Logs(), why) {
		t.Errorf("the log does not say %q", why)
	}

	writeFile(t, filepath.Join(dir, "loop2.wasm"), readFile(t, "host/testdata/loop_start.wasm"))
	time.Sleep(200 * time.Millisecond)
	copied := time.Now()
	writeFile(t, filepath.Join(dir, "numeric.wasm"), readFile(t, "plugins/numeric.wasm"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		var v any
		if err := c.Call("numeric.add", []any{1, 2}, &v); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("numeric.wasm was not served after a looping module was copied in")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("a plugin copied in after a looping one was served %v later", time.Since(copied).Round(time.Millisecond))
	var again any
	if err := c.Call("add", []any{3, 4}, &again); err != nil || again != int64(7) {
		t.Fatalf("add(3, 4) = %v, %v", again, err)
	}
}
