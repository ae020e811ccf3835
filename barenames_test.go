package rpchost_test

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"

	"github.com/rpchost/rpchost/host"
)

// A bare name never changes owner behind anyone's back, end to end: a copied
// plugin and an uploaded one that both define add leave add(3, 4) and
// add("hello", "world") on add.add, before and after a restart.
func TestABareNameStaysWithItsOwnerAcrossCopiesUploadsAndRestarts(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	numeric := readFile(t, "plugins/numeric.wasm")
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))
	writeFile(t, filepath.Join(dir, "numeric.wasm"), numeric)
	env := []string{"RPCHOST_STORE_DIR=" + data, "RPCHOST_ADMIN_TOKEN=tok3n"}

	s := startServer(t, dir, env...)
	c := dial(t, s.URL)
	checkAdd := func(when string) {
		t.Helper()
		if got := call(t, c, "add", int64(3), int64(4)); got != int64(7) {
			t.Errorf("%s: add(3, 4) = %v, want 7", when, got)
		}
		if got := call(t, c, "add", "hello", "world"); got != "helloworld" {
			t.Errorf("%s: add(hello, world) = %v, want helloworld from add.add", when, got)
		}
	}
	checkAdd("at start")

	// aaa sorts before add: under the old rule it took add at once.
	writeFile(t, filepath.Join(dir, "aaa.wasm"), numeric)
	waitForLog(t, s, `msg="bare name kept by its owner" name=add owner=add.add plugin=aaa`)
	checkAdd("after aaa.wasm was copied in")

	admin := dial(t, strings.Replace(s.URL, "http://", "http://admin:tok3n@", 1))
	var info map[string]any
	if err := admin.Call("plugins.upload", []any{"aab", xmlrpc.Base64(base64.StdEncoding.EncodeToString(numeric))}, &info); err != nil {
		t.Fatal(err)
	}
	if !hasConflict(info, "add", "add.add") {
		t.Errorf("plugins.upload result %v does not report that add stays with add.add", info)
	}
	checkAdd("after aab was uploaded")
	if n := strings.Count(s.Logs(), `msg="bare name kept by its owner" name=add owner=add.add plugin=aab`); n != 1 {
		t.Errorf("the upload's conflict is logged %d times, want once", n)
	}
	stopServer(t, s)

	s = startServer(t, dir, env...)
	c = dial(t, s.URL)
	checkAdd("after a restart")
	for _, p := range []string{"aaa", "aab"} {
		if !strings.Contains(s.Logs(), `name=add owner=add.add plugin=`+p) {
			t.Errorf("the restart does not log %s's conflict", p)
		}
	}
}

func hasConflict(info map[string]any, name, servedBy string) bool {
	list, _ := info["conflicts"].([]any)
	for _, c := range list {
		m, _ := c.(map[string]any)
		if m["name"] == name && m["served_by"] == servedBy {
			return true
		}
	}
	return false
}

func waitForLog(t *testing.T, s *server, line string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(s.Logs(), line) {
		if time.Now().After(deadline) {
			t.Fatalf("the log does not say %q after 15 s", line)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stopServer interrupts the server and waits for it to exit, so that another
// can take its store.
func stopServer(t *testing.T, s *server) {
	t.Helper()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("rpchost exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("rpchost did not stop within 30 s of an interrupt")
	}
}

// README and rpchost --help state the bare-name rule in the same words,
// host.BareNamesRule's.
func TestREADMEAndHelpStateTheBareNameRule(t *testing.T) {
	normalize := func(s string) string {
		return strings.Join(strings.Fields(strings.NewReplacer("`", "", "**", "").Replace(s)), " ")
	}
	rule := normalize(host.BareNamesRule)
	if readme := normalize(string(readFile(t, "README.md"))); !strings.Contains(readme, "Bare names. "+rule) {
		t.Errorf("README.md's Bare names paragraph is not host.BareNamesRule:\n%s", rule)
	}
	out, err := exec.Command(rpchostBinary(t), "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("rpchost --help: %v\n%s", err, out)
	}
	if !strings.Contains(normalize(string(out)), rule) {
		t.Errorf("rpchost --help does not state host.BareNamesRule:\n%s", out)
	}
}
