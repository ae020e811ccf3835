package rpchost_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runInspect runs the built binary's inspect from the repository's root
// and returns its stdout, stderr and exit status.
func runInspect(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(rpchostBinary(t), append([]string{"inspect"}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		status = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), status
}

// README's "Checking a module without serving it", run as written: the
// first example's output is what the binary prints (but the compile time),
// the second's problems end its output; and the exit status is 0, 1 or 2
// as the section says, with only the report on stdout.
func TestReadmeInspectExamplesAndExitStatus(t *testing.T) {
	blocks := readmeBlocks(t, "Checking a module without serving it: `rpchost inspect`")
	if len(blocks) != 2 {
		t.Fatalf("the section has %d code blocks, this test knows 2", len(blocks))
	}
	for i, block := range blocks {
		args := splitShellWords(t, strings.TrimPrefix(block[0], "$ go run ./cmd/rpchost "))
		stdout, stderr, status := runInspect(t, args[1:]...)
		got := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
		want := block[1:]
		if i == 0 {
			if status != 0 || stderr != "" {
				t.Errorf("%s: exit status %d, stderr %q; want 0 and nothing", block[0], status, stderr)
			}
			if len(got) != len(want) {
				t.Fatalf("%s printed\n%s\nREADME shows\n%s", block[0], stdout, strings.Join(want, "\n"))
			}
			for j := range want {
				if strings.HasPrefix(want[j], "compile ") {
					continue
				}
				if got[j] != want[j] {
					t.Errorf("%s line %d: printed %q, README shows %q", block[0], j+1, got[j], want[j])
				}
			}
			continue
		}
		if want[0] != "..." || status != 1 || !strings.Contains(stderr, "plugins/records.wasm would be refused (4 problems)") {
			t.Errorf("%s: exit status %d, stderr %q; want 1 and the refusal", block[0], status, stderr)
		}
		if tail := got[max(0, len(got)-len(want)+1):]; strings.Join(tail, "\n") != strings.Join(want[1:], "\n") {
			t.Errorf("%s ends with\n%s\nREADME shows\n%s", block[0], strings.Join(tail, "\n"), strings.Join(want[1:], "\n"))
		}
	}

	stdout, stderr, status := runInspect(t, "--json", filepath.Join("host", "testdata", "future_abi.wasm"))
	var report struct {
		Loads    bool     `json:"loads"`
		Problems []string `json:"problems"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || status != 1 || report.Loads ||
		len(report.Problems) != 1 || !strings.Contains(stderr, "would be refused (1 problem)") {
		t.Errorf("--json future_abi.wasm: status %d, %+v (%v), stderr %q", status, report, err, stderr)
	}
	stdout, stderr, status = runInspect(t, filepath.Join(t.TempDir(), "nosuch.wasm"))
	if status != 2 || stdout != "" || !strings.Contains(stderr, "no such file") {
		t.Errorf("a missing file: status %d, stdout %q, stderr %q; want 2", status, stdout, stderr)
	}
}
