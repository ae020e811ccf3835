package rpchost_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"
)

// Deploying without restarting, end to end: files copied into the plugin
// directory, uploads from Python and from the CLI.

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// within polls until the server gives want for method, and returns how long
// that took. The deadline is generous because machines here are shared; the
// latency is logged, not asserted.
func within(t *testing.T, c *xmlrpc.Client, method string, want any) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		var got any
		err := c.Call(method, nil, &got)
		code, _, isFault := faultOf(err)
		switch {
		case want == nil && isFault && code == -32601:
			return time.Since(start)
		case want != nil && err == nil && got == want:
			return time.Since(start)
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("%s: still %v, %v after 15 s, want %v", method, got, err, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() == ".versions" && e.IsDir() { // the version log of uploads (README: History and rollback)
			continue
		}
		names = append(names, e.Name())
	}
	return names
}

func TestCopiedModulesAreServedWithoutRestart(t *testing.T) {
	v1, v2 := readFile(t, "host/testdata/answer1.wasm"), readFile(t, "host/testdata/answer2.wasm")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))
	s := startServer(t, dir)
	c := dial(t, s.URL)
	file := filepath.Join(dir, "up.wasm")

	writeFile(t, file, v1)
	t.Logf("copied in: served after %v", within(t, c, "up.answer", int64(1)))
	writeFile(t, file, v2)
	t.Logf("overwritten: new answer after %v", within(t, c, "up.answer", int64(2)))

	writeFile(t, file, []byte("\x00asm\x01\x00\x00\x00 truncated"))
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(s.Logs(), "plugin rejected; the previous version keeps serving") {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said why the corrupt replacement was rejected:\n%s", s.Logs())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := call(t, c, "up.answer"); got != int64(2) {
		t.Errorf("after a corrupt replacement up.answer = %v, want the old version's 2", got)
	}

	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	t.Logf("deleted: -32601 after %v", within(t, c, "up.answer", nil))
	if got := call(t, c, "add", 3, 4); got != int64(7) {
		t.Errorf("add(3, 4) = %v during all this", got)
	}
}

func TestUploadFromPython(t *testing.T) {
	python := requireTool(t, "python3")
	dir := t.TempDir()
	s := startServer(t, dir, "RPCHOST_ADMIN_TOKEN=tok3n", "RPCHOST_ADMIN_MAX_UPLOAD_BYTES=65536")
	t.Log(runScript(t, python, "testdata/clients/upload.py", s.URL, "tok3n", "host/testdata/answer1.wasm"))
	if got := dirEntries(t, dir); len(got) != 0 {
		t.Errorf("plugin directory holds %v after the refused uploads and the removal", got)
	}
}

func TestUploadIsRefusedWhenNoTokenIsConfigured(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)
	c := dial(t, s.URL)
	msg := wantFault(t, c, -32004, "plugins.upload", "up", xmlrpc.Base64("AGFzbQEAAAA="))
	if !strings.Contains(msg, "admin.token") || !strings.Contains(msg, "RPCHOST_ADMIN_TOKEN") {
		t.Errorf("fault %q does not say how to enable uploads", msg)
	}
	if got := dirEntries(t, dir); len(got) != 0 {
		t.Errorf("plugin directory holds %v", got)
	}
}

func TestCLIUploadsCallsListsAndRemoves(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir, "RPCHOST_ADMIN_TOKEN=tok3n")
	rpchost := func(wantOK bool, args ...string) string {
		t.Helper()
		cmd := exec.Command(rpchostBinary(t), args...)
		cmd.Env = append(os.Environ(), "RPCHOST_SERVER="+s.URL, "RPCHOST_ADMIN_TOKEN=")
		out, err := cmd.CombinedOutput()
		if ok := err == nil; ok != wantOK {
			t.Fatalf("rpchost %s: %v (want success %v)\n%s", strings.Join(args, " "), err, wantOK, out)
		}
		return string(out)
	}
	out := rpchost(true, "upload", "--token", "tok3n", "--name", "cliup", "host/testdata/answer2.wasm")
	if !strings.Contains(out, "uploaded cliup") {
		t.Errorf("upload printed %q", out)
	}
	if !slices.Contains(dirEntries(t, dir), "cliup.wasm") {
		t.Error("the upload is not in the plugin directory")
	}
	if out := rpchost(true, "call", "cliup.answer"); strings.TrimSpace(out) != "2" {
		t.Errorf("call cliup.answer printed %q, want 2", out)
	}
	if out := rpchost(true, "list"); !strings.Contains(out, "cliup") {
		t.Errorf("list printed %q", out)
	}
	if out := rpchost(false, "upload", "--token", "wrong", "host/testdata/answer1.wasm"); !strings.Contains(out, "-32004") {
		t.Errorf("upload with a wrong token printed %q", out)
	}
	if out := rpchost(false, "call", "no.such.method"); !strings.Contains(out, "-32601") {
		t.Errorf("call of a missing method printed %q", out)
	}
	rpchost(true, "rm", "--token", "tok3n", "cliup")
	if slices.Contains(dirEntries(t, dir), "cliup.wasm") {
		t.Error("rm left the file in the plugin directory")
	}
	if out := rpchost(false, "call", "--server", "http://127.0.0.1:1/", "add", "1", "2"); !strings.Contains(out, "127.0.0.1:1") {
		t.Errorf("a transport error printed %q", out)
	}
}
