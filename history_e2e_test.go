package rpchost_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCLIHistoryAndRollback drives rpchost history and rollback against
// the real binary, on one machine (the version log in plugins/.versions).
func TestCLIHistoryAndRollback(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir, "RPCHOST_ADMIN_TOKEN=tok3n")
	rpchost := func(wantOK bool, args ...string) string {
		t.Helper()
		cmd := exec.Command(rpchostBinary(t), args...)
		cmd.Env = append(os.Environ(), "RPCHOST_SERVER="+s.URL, "RPCHOST_ADMIN_TOKEN=tok3n")
		out, err := cmd.CombinedOutput()
		if ok := err == nil; ok != wantOK {
			t.Fatalf("rpchost %s: %v (want success %v)\n%s", strings.Join(args, " "), err, wantOK, out)
		}
		return string(out)
	}
	rpchost(true, "upload", "--name", "cliup", "host/testdata/answer1.wasm")
	rpchost(true, "upload", "--name", "cliup", "host/testdata/answer2.wasm")
	out := rpchost(true, "history", "cliup")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "VERSION") || !strings.Contains(lines[0], "SIGNED") || !strings.Contains(lines[1], " no ") || !strings.HasPrefix(lines[1], "2 ") || !strings.Contains(lines[1], "upload") || !strings.Contains(lines[1], "admin") {
		t.Fatalf("history printed:\n%s", out)
	}
	if out := rpchost(true, "rollback", "cliup"); !strings.Contains(out, "now version 3") {
		t.Errorf("rollback printed %q", out)
	}
	if out := rpchost(true, "call", "cliup.answer"); strings.TrimSpace(out) != "1" {
		t.Errorf("after rollback, cliup.answer printed %q, want 1", out)
	}
	rpchost(true, "rollback", "cliup", "2")
	if out := rpchost(true, "call", "cliup.answer"); strings.TrimSpace(out) != "2" {
		t.Errorf("after rollback to 2, cliup.answer printed %q, want 2", out)
	}
	if out := rpchost(false, "rollback", "cliup", "9"); !strings.Contains(out, "-32602") || !strings.Contains(out, "no version 9") {
		t.Errorf("rollback to a missing version printed %q", out)
	}
	if out := rpchost(false, "rollback", "cliup", "x"); !strings.Contains(out, "want a version number") {
		t.Errorf("rollback to version x printed %q", out)
	}
	if out := rpchost(true, "history", "nothing"); !strings.Contains(out, "no version log") {
		t.Errorf("history of an unknown name printed %q", out)
	}
}
