package rpchost_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSignedAndPinnedModulesWithTheRealBinary walks README's "Signed and
// pinned modules": keygen, sign, upload --sig, and every refusal, with
// nothing compiled or stored for a refused module.
func TestSignedAndPinnedModulesWithTheRealBinary(t *testing.T) {
	work, dir := t.TempDir(), t.TempDir()
	bin := rpchostBinary(t)
	run := func(wantOK bool, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = withoutRPCHostEnv()
		out, err := cmd.CombinedOutput()
		if ok := err == nil; ok != wantOK {
			t.Fatalf("rpchost %s: %v (want success %v)\n%s", strings.Join(args, " "), err, wantOK, out)
		}
		if strings.Contains(string(out), "goroutine ") {
			t.Errorf("rpchost %s printed a stack trace:\n%s", strings.Join(args, " "), out)
		}
		return string(out)
	}
	keyFile, otherKey := filepath.Join(work, "deploy.key"), filepath.Join(work, "other.key")
	pub := trustFirstLine(run(true, "keygen", keyFile))
	run(true, "keygen", otherKey)
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the private key file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	if out := run(false, "keygen", keyFile); !strings.Contains(out, "exists already") {
		t.Errorf("keygen over an existing key printed %q", out)
	}

	copyFile := func(from, to string) string {
		t.Helper()
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return to
	}
	m1 := copyFile("host/testdata/answer1.wasm", filepath.Join(work, "m1.wasm"))
	m2 := copyFile("host/testdata/answer2.wasm", filepath.Join(work, "m2.wasm"))
	unpinned := copyFile("host/testdata/calc.wasm", filepath.Join(work, "calc.wasm"))
	if out := run(true, "sign", keyFile, m1); !strings.Contains(out, m1+".sig") {
		t.Errorf("sign printed %q", out)
	}
	run(true, "sign", otherKey, m2) // by a key the server does not trust
	run(true, "sign", keyFile, unpinned)

	// The plugin directory: a signed module and an unsigned one.
	copyFile(m1, filepath.Join(dir, "d_signed.wasm"))
	copyFile(m1+".sig", filepath.Join(dir, "d_signed.wasm.sig"))
	copyFile(m1, filepath.Join(dir, "d_unsigned.wasm"))

	pins := trustDigestOf(t, m1) + "," + trustDigestOf(t, m2)
	s := startServer(t, dir, "RPCHOST_ADMIN_TOKEN=tok3n", "RPCHOST_DEPLOY_TRUSTED_KEYS="+pub, "RPCHOST_DEPLOY_ALLOWED_SHA256="+pins,
		"RPCHOST_WATCH_POLL=200ms", "RPCHOST_WATCH_DEBOUNCE=20ms")
	client := func(wantOK bool, args ...string) string {
		t.Helper()
		flags := []string{"--server", s.URL}
		if args[0] == "upload" {
			flags = append(flags, "--token", "tok3n")
		}
		return run(wantOK, append(args[:1:1], append(flags, args[1:]...)...)...)
	}

	if out := client(true, "upload", "--name", "up", "--sig", m1+".sig", m1); !strings.Contains(out, "uploaded up") {
		t.Errorf("signed upload printed %q", out)
	}
	if out := client(true, "call", "up.answer"); strings.TrimSpace(out) != "1" {
		t.Errorf("up.answer = %q", out)
	}
	refused := []struct {
		name string
		args []string
		says string
	}{
		{"unsigned", []string{m1}, "not signed"},
		{"other key", []string{"--sig", m2 + ".sig", m2}, "does not verify"},
		{"another module's signature", []string{"--sig", m1 + ".sig", m2}, "does not verify"},
		{"not pinned", []string{"--sig", unpinned + ".sig", unpinned}, "deploy.allowed_sha256"},
	}
	for _, tc := range refused {
		out := client(false, append([]string{"upload", "--name", "refused"}, tc.args...)...)
		if !strings.Contains(out, "-32012") || !strings.Contains(out, tc.says) {
			t.Errorf("%s: printed %q; want fault -32012 saying %q", tc.name, out, tc.says)
		}
	}
	logs := s.Logs()
	if strings.Contains(logs, "plugin=refused size=") || slices.Contains(dirEntries(t, dir), "refused.wasm") {
		t.Errorf("a refused upload was compiled or stored; plugin directory %v", dirEntries(t, dir))
	}
	for _, want := range []string{`outcome="refused: unsigned"`, `outcome="refused: bad_signature"`, `outcome="refused: not_pinned"`, "caller=admin", "trusted_keys=1 pinned_modules=2", "sha256=" + trustDigestOf(t, m2)} {
		if !strings.Contains(logs, want) {
			t.Errorf("the audit trail lacks %s", want)
		}
	}

	// The directory: the signed file is served, the unsigned one refused
	// with the reason, until its signature is copied beside it.
	if out := client(true, "call", "d_signed.answer"); strings.TrimSpace(out) != "1" {
		t.Errorf("d_signed.answer = %q", out)
	}
	if out := client(false, "call", "d_unsigned.answer"); !strings.Contains(out, "-32601") || !strings.Contains(out, "not signed") {
		t.Errorf("d_unsigned.answer printed %q; want -32601 saying it is not signed", out)
	}
	metrics := trustGet(t, s.URL+"metrics")
	for _, want := range []string{`rpchost_plugin_refusals_total{reason="unsigned"} 2`, `rpchost_plugin_refusals_total{reason="bad_signature"} 2`, `rpchost_plugin_refusals_total{reason="not_pinned"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	copyFile(m1+".sig", filepath.Join(dir, "d_unsigned.wasm.sig"))
	deadline := time.Now().Add(20 * time.Second)
	for {
		cmd := exec.Command(bin, "call", "--server", s.URL, "d_unsigned.answer")
		out, err := cmd.CombinedOutput()
		if err == nil && strings.TrimSpace(string(out)) == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("d_unsigned.answer is not served after its signature was added: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAMalformedTrustedKeyStopsTheStartNamingIt(t *testing.T) {
	r := runRPCHost(t, t.TempDir(), []string{"RPCHOST_DEPLOY_TRUSTED_KEYS=bm90LWEta2V5", "RPCHOST_STORE_DIR=" + t.TempDir()},
		"serve", "--listen", "127.0.0.1:0", "--plugins", t.TempDir())
	if r.code == 0 || !strings.Contains(r.out, "deploy.trusted_keys") || !strings.Contains(r.out, "bm90LWEta2V5") {
		t.Errorf("exit %d, output:\n%s\nwant a refused start naming deploy.trusted_keys and the key", r.code, r.out)
	}
}

func trustDigestOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func trustFirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

func trustGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestReadmeSignedModulesWalkthrough runs README's "Signed and pinned
// modules" commands as written: rpchost's own, then the openssl recipe for
// signing without rpchost, each key trusted by a server started for it.
func TestReadmeSignedModulesWalkthrough(t *testing.T) {
	blocks := readmeBlocks(t, "Signed and pinned modules")
	if len(blocks) != 4 {
		t.Fatalf("the section has %d code blocks, this test knows 4 (rpchost, curl, Python, openssl)", len(blocks))
	}
	bin := rpchostBinary(t)
	var lines []string // the commands of a block, without comment lines
	commands := func(block []string) []string {
		lines = lines[:0]
		for _, l := range block {
			if c := command(l); c != "" && !strings.HasPrefix(c, "#") {
				lines = append(lines, c)
			}
		}
		return lines
	}
	for _, b := range []int{0, 3} {
		if b == 3 {
			requireTool(t, "openssl")
		}
		work := t.TempDir()
		plugins := filepath.Join(work, "plugins")
		if err := os.Mkdir(plugins, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(work, "up.wasm"), readFile(t, "host/testdata/answer1.wasm"))
		var env []string
		sh := func(line string) string {
			t.Helper()
			cmd := exec.Command("sh", "-c", strings.ReplaceAll(line, "./rpchost", "'"+bin+"'"))
			cmd.Dir = work
			cmd.Env = append(withoutRPCHostEnv(), env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", line, err, out)
			}
			t.Logf("$ %s\n%s", line, out)
			return string(out)
		}
		var pub string
		for _, line := range commands(blocks[b]) {
			out := sh(line)
			switch {
			case strings.Contains(line, "keygen"), strings.Contains(line, "-pubout"):
				pub = trustFirstLine(out)
				s := startServer(t, plugins, "RPCHOST_ADMIN_TOKEN=s3cret", "RPCHOST_DEPLOY_TRUSTED_KEYS="+pub)
				env = []string{"RPCHOST_SERVER=" + s.URL, "RPCHOST_ADMIN_TOKEN=s3cret"}
			}
		}
		if pub == "" {
			t.Fatalf("block %d made no key", b+1)
		}
		if b == 3 { // openssl signed it: the server takes it
			if out := sh("./rpchost upload up.wasm --sig up.wasm.sig"); !strings.Contains(out, "uploaded up") {
				t.Errorf("upload of openssl's signature printed %q", out)
			}
		}
		if out := sh("./rpchost call up.answer"); strings.TrimSpace(out) != "1" {
			t.Errorf("block %d: up.answer printed %q", b+1, out)
		}
	}
}
