package rpchost_test

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/testutil"
)

// TestAuthAndTLSEndToEnd runs the real binary over HTTPS with callers:
// Python's ServerProxy with an SSL context and the CLI with --ca call it;
// missing and wrong tokens get 401, a caller past its rate 429, a caller
// outside its allow list a fault, and none of the refused calls reaches
// the wasm instance (remember.wasm, one instance, hands each call what the
// previous one stored). Then the certificate files are replaced and the
// new certificate is served without a restart.
func TestAuthAndTLSEndToEnd(t *testing.T) {
	python := requireTool(t, "python3")
	dir := t.TempDir()
	ca := testutil.NewCA(t, dir, "test-ca")
	certFile, keyFile := ca.IssueFiles(t, dir, "first")
	plugins := filepath.Join(dir, "plugins")
	if err := os.Mkdir(plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	wasm, err := os.ReadFile("host/testdata/remember.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(plugins, "remember.wasm"), wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{"alice": "alice-0123456789abcdefghij", "bob": "bob-0123456789abcdefghijkl", "limited": "limited-0123456789abcdefgh"}
	hash := func(name string) string { s := sha256.Sum256([]byte(tokens[name])); return hex.EncodeToString(s[:]) }
	config := fmt.Sprintf(`pool:
  size: 1
tls:
  cert_file: %s
  key_file: %s
auth:
  anonymous: []
  callers:
    alice:
      token_sha256: %s
      allow: [remember.*, system.listMethods, system.multicall]
    bob:
      token_sha256: %s
      allow: [system.*]
    limited:
      token_sha256: %s
      allow: ["*"]
      rate: 2/h
      burst: 2
`, certFile, keyFile, hash("alice"), hash("bob"), hash("limited"))
	configFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(configFile, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, plugins, "RPCHOST_CONFIG="+configFile)
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL, "http://"), "/")
	if !strings.Contains(s.Logs(), "url=https://"+addr+"/") {
		t.Errorf("the start-up log does not give the https URL:\n%s", s.Logs())
	}

	t.Logf("auth.py:\n%s", runScript(t, python, "testdata/clients/auth.py", addr, ca.File, tokens["alice"], tokens["bob"], tokens["limited"]))

	cli := func(args ...string) (string, error) {
		out, err := exec.Command(rpchostBinary(t), append([]string{"call"}, args...)...).CombinedOutput()
		return strings.Join(strings.Fields(string(out)), ""), err // the result is printed as indented JSON
	}
	aliceURL := "https://alice:" + tokens["alice"] + "@" + addr + "/"
	// The instance holds 2, from the last call of auth.py.
	if out, err := cli("--server", aliceURL, "--ca", ca.File, "remember.remember", "3"); err != nil || out != "[2,2]" {
		t.Errorf("rpchost call --ca as alice: %q %v; want [2, 2]", out, err)
	}
	// The 401's body is the fault, which says what to send: the CLI shows it.
	if out, err := cli("--server", "https://"+addr+"/", "--ca", ca.File, "remember.remember", "98"); err == nil || !strings.Contains(out, "-32009") {
		t.Errorf("rpchost call without credentials: %q %v; want fault -32009", out, err)
	}
	if out, err := cli("--server", aliceURL, "remember.remember", "98"); err == nil || !strings.Contains(out, "certificate") || strings.Contains(out, tokens["alice"]) {
		t.Errorf("rpchost call without --ca: %q %v; want a certificate error that does not show the token", out, err)
	}
	if out, err := cli("--server", "https://bob:"+tokens["bob"]+"@"+addr+"/", "--ca", ca.File, "remember.remember", "98"); err == nil || !strings.Contains(out, "-32010") {
		t.Errorf("rpchost call as bob: %q %v; want fault -32010", out, err)
	}
	if out, err := cli("--server", aliceURL, "--ca", ca.File, "remember.remember", "4"); err != nil || out != "[3,3]" {
		t.Errorf("after the refused CLI calls: %q %v; want [3, 3]: a refused call reached the instance", out, err)
	}

	// Plain HTTP to the HTTPS port is not served.
	if resp, err := http.Post(s.URL, "text/xml", strings.NewReader("<methodCall/>")); err == nil {
		if resp.StatusCode == http.StatusOK {
			t.Errorf("plain HTTP to the TLS port: %s", resp.Status)
		}
		resp.Body.Close()
	}

	// Rotation: new files in place; the new certificate is served within
	// a few seconds, by the same process.
	served := func() string {
		pool := x509.NewCertPool()
		pem, _ := os.ReadFile(ca.File)
		pool.AppendCertsFromPEM(pem)
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatalf("TLS handshake: %v", err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if got := served(); got != "first" {
		t.Fatalf("serving %q, want first", got)
	}
	c2, k2 := ca.Issue(t, "second")
	testutil.WriteFile(t, certFile, c2)
	testutil.WriteFile(t, keyFile, k2)
	deadline := time.Now().Add(20 * time.Second)
	for served() != "second" {
		if time.Now().After(deadline) {
			t.Fatalf("the renewed certificate is not served 20 s after the files were replaced:\n%s", s.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The log is read from the server's stderr as it comes: give the line
	// a moment to arrive.
	for logged := time.Now().Add(5 * time.Second); !strings.Contains(s.Logs(), "tls certificate reloaded"); {
		if time.Now().After(logged) {
			t.Errorf("the reload is not logged")
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// TLS 1.1 is refused.
	if conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}); err == nil { //nolint:gosec // the point of the check
		conn.Close()
		t.Error("a TLS 1.1 handshake succeeded")
	}
}

// TestTLSStartUpErrors: a start with half the TLS configuration or a key
// that does not match stops with a message that names the keys.
func TestTLSStartUpErrors(t *testing.T) {
	dir := t.TempDir()
	ca := testutil.NewCA(t, dir, "test-ca")
	cert, _ := ca.IssueFiles(t, dir, "one")
	_, otherKey := ca.IssueFiles(t, dir, "two")
	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{"RPCHOST_TLS_CERT_FILE=" + cert}, "tls.cert_file is set but tls.key_file is not"},
		{[]string{"RPCHOST_TLS_CERT_FILE=" + cert, "RPCHOST_TLS_KEY_FILE=" + otherKey}, "private key does not match public key"},
		{[]string{"RPCHOST_TLS_CERT_FILE=" + cert, "RPCHOST_TLS_KEY_FILE=" + filepath.Join(dir, "nope.key")}, "tls.key_file: open"},
	} {
		cmd := exec.Command(rpchostBinary(t), "serve", "--listen", "127.0.0.1:0", "--plugins", "plugins")
		cmd.Env = append(append(os.Environ(), "RPCHOST_CACHE_DIR=off", "RPCHOST_STORE_DRIVER=off"), c.env...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) || strings.Contains(string(out), "goroutine ") {
			t.Errorf("%v: %v\n%s\nwant a start-up error saying %q", c.env, err, out, c.want)
		}
	}
}
