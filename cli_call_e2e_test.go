package rpchost_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLICallExamplesWorkAndKeepFractions runs every `rpchost call` example
// of `rpchost call --help` against a server with the shipped types and
// records plugins: an example must work as printed (records.ingest's once
// left out id, which stored nothing). It also checks that a dateTime's
// fraction of a second goes out and comes back through the CLI, in both
// argument forms, and is what records.ingest stores.
func TestCLICallExamplesWorkAndKeepFractions(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"types.wasm", "records.wasm", "add.wasm", "validator1.wasm"} {
		writeFile(t, filepath.Join(dir, name), readFile(t, filepath.Join("plugins", name)))
	}
	s := startServer(t, dir)
	rpchost := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(rpchostBinary(t), args...)
		cmd.Env = append(os.Environ(), "RPCHOST_SERVER="+s.URL)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("rpchost %q: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}

	help := rpchost("call", "--help")
	examples := 0
	_, section, _ := strings.Cut(help, "Examples:")
	section, _, _ = strings.Cut(section, "Flags:")
	for _, line := range strings.Split(section, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "rpchost call ") {
			continue
		}
		examples++
		args := splitShellWords(t, strings.TrimPrefix(line, "rpchost "))
		out := rpchost(args...)
		if strings.Contains(line, "records.ingest") {
			if !strings.Contains(out, `"stored":1`) {
				t.Errorf("the help's records.ingest example printed %s, want one record stored", out)
			}
		}
	}
	if examples < 3 {
		t.Fatalf("found %d call examples in:\n%s", examples, help)
	}
	// The server writes fractions only to a client that sent one (RATIONALE),
	// so the query sends one: from .001 finds the record only if its .123
	// was stored, and the answer carries three digits.
	if out := rpchost("call", "--json", "records.query", `{"from": {"__datetime__": "2026-01-02T03:04:05.001Z"}}`); !strings.Contains(out, `"2026-01-02T03:04:05.123Z"`) {
		t.Errorf("records.query from …05.001 printed %s, want the example's record with its .123", out)
	}

	const want = `{"__datetime__":"2026-01-02T03:04:05.123Z"}`
	if out := rpchost("call", "types.echo", "datetime:2026-01-02T03:04:05.123Z"); out != want {
		t.Errorf("echo of datetime:…05.123Z printed %s, want %s", out, want)
	}
	if out := rpchost("call", "--json", "types.echo", want); out != want {
		t.Errorf("--json echo printed %s, want %s", out, want)
	}
	if out := rpchost("call", "types.echo", "datetime:2026-01-02T03:04:05Z"); out != `{"__datetime__":"2026-01-02T03:04:05Z"}` {
		t.Errorf("echo of a whole second printed %s", out)
	}
	// The command line's older tags are still read, and answered in the
	// JSON-RPC form.
	if out := rpchost("call", "--json", "types.echo", `{"$datetime": "2026-01-02T03:04:05.123Z"}`); out != want {
		t.Errorf("--json echo of the old $datetime form printed %s, want %s", out, want)
	}
	if out := rpchost("call", "types.echo", `[{"$base64": "aGk="}, {"$double": 3}]`); out != `[{"__base64__":"aGk="},3.0]` {
		t.Errorf("echo of the old $base64 and $double forms printed %s", out)
	}
}

// splitShellWords splits an example line as a POSIX shell would, for the
// only quoting the examples use: single quotes.
func splitShellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			word.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case strings.ContainsRune(`"\$*?<>|&;()`, r):
			t.Fatalf("example %q uses shell syntax this test does not read: %q", line, r)
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("example %q has an unclosed quote", line)
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}
