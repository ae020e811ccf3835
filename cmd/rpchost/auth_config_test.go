package main

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/testutil"
)

const aliceHash = "6803e6781c75d84c1a21f21dda91cd71adec1e33e49b61709898af8d556f8d17"

func TestCallersFromTheFileAndTheEnvironment(t *testing.T) {
	yaml := "auth:\n  anonymous: [system.listMethods]\n  anonymous_rate: 300/m\n  callers:\n    Alice:\n      token_sha256: " + aliceHash +
		"\n      allow: [records.*, add]\n      rate: 10/s\n      burst: 20\n      admin: true\n"
	s, err := load(t, yaml, []string{
		"RPCHOST_AUTH_CALLERS_BOB_TOKEN_SHA256=" + strings.ToUpper(aliceHash),
		"RPCHOST_AUTH_CALLERS_BOB_ALLOW=system.*, add",
		"RPCHOST_AUTH_ANONYMOUS_BURST=7",
	})
	if err != nil {
		t.Fatal(err)
	}
	callers := s.cfg.Callers()
	a, b := callers["alice"], callers["bob"]
	if a.TokenSHA256 != aliceHash || strings.Join(a.Allow, ",") != "records.*,add" || !a.Admin || a.Rate != (host.Rate{PerSecond: 10, Burst: 20}) {
		t.Errorf("alice: %+v", a)
	}
	if b.TokenSHA256 != aliceHash || strings.Join(b.Allow, ",") != "system.*,add" || b.Admin {
		t.Errorf("bob: %+v", b)
	}
	if got := s.cfg.AnonymousRate(); got != (host.Rate{PerSecond: 5, Burst: 7}) {
		t.Errorf("anonymous rate: %+v", got)
	}
	if got := s.cfg.Anonymous(); strings.Join(got, ",") != "system.listMethods" {
		t.Errorf("anonymous: %v", got)
	}
}

func TestCallerKeysAreStrict(t *testing.T) {
	yaml := "auth:\n  callers:\n    alice:\n      token_sha: " + aliceHash + "\n      alow: [add]\n      rate: 10\n    bob:\n      token_sha256: s3cret-pasted-here\n    \"no way\":\n      allow: [add]\n"
	_, err := load(t, yaml, []string{"RPCHOST_AUTH_CALLERS_CAROL_ALOW=add"})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"config.yaml:4: unknown key auth.callers.alice.token_sha (did you mean auth.callers.alice.token_sha256?)",
		"config.yaml:5: unknown key auth.callers.alice.alow (did you mean auth.callers.alice.allow?)",
		`config.yaml:6: auth.callers.alice.rate: "10" is not a rate`,
		"config.yaml:8: auth.callers.bob.token_sha256: want the 64 hex digits",
		`config.yaml:9: auth.callers.no way:`,
		"RPCHOST_AUTH_CALLERS_CAROL_ALOW: unknown variable",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
}

func TestTLSStartUpRefusals(t *testing.T) {
	dir := t.TempDir()
	ca := testutil.NewCA(t, dir, "ca")
	cert, key := ca.IssueFiles(t, dir, "server")
	_, otherKey := ca.IssueFiles(t, dir, "other")
	cases := []struct{ cert, key, want string }{
		{cert, "", "tls.cert_file is set but tls.key_file is not"},
		{"", key, "tls.key_file is set but tls.cert_file is not"},
		{filepath.Join(dir, "missing.crt"), key, "missing.crt: no such file"},
		{cert, otherKey, "private key does not match public key"},
		{key, cert, "tls.cert_file " + key},
	}
	for _, c := range cases {
		s := newSettings()
		s.tls.certFile, s.tls.keyFile = c.cert, c.key
		_, err := s.tlsConfig(slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("cert %q key %q: %v; want %q", c.cert, c.key, err, c.want)
		}
	}
	s := newSettings()
	s.tls.certFile, s.tls.keyFile = cert, key
	cfg, err := s.tlsConfig(slog.New(slog.DiscardHandler))
	if err != nil || cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("a good pair: %v, %+v", err, cfg)
	}
}

func TestCertificateRotation(t *testing.T) {
	dir := t.TempDir()
	ca := testutil.NewCA(t, dir, "ca")
	cert, key := ca.IssueFiles(t, dir, "first")
	var logs bytes.Buffer
	r, err := newCertReloader(cert, key, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r.now = func() time.Time { return now }
	served := func() string {
		c, err := r.getCertificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.Leaf.Subject.CommonName
	}
	// A renewal: new files in place of the old ones.
	c2, k2 := ca.Issue(t, "second")
	testutil.WriteFile(t, cert, c2)
	testutil.WriteFile(t, key, k2)
	if got := served(); got != "first" {
		t.Errorf("within a second of the last look: %s, want first (no look yet)", got)
	}
	now = now.Add(2 * time.Second)
	if got := served(); got != "second" {
		t.Errorf("after the renewal: %s, want second", got)
	}
	// Half a renewal: a new certificate whose key is not there yet.
	c3, k3 := ca.Issue(t, "third")
	testutil.WriteFile(t, cert, c3)
	now = now.Add(2 * time.Second)
	if got := served(); got != "second" || !strings.Contains(logs.String(), "still serving the previous certificate") {
		t.Errorf("with a key that does not match: %s, want second and a logged error:\n%s", got, logs.String())
	}
	testutil.WriteFile(t, key, k3)
	now = now.Add(2 * time.Second)
	if got := served(); got != "third" {
		t.Errorf("once the key came: %s, want third", got)
	}
	// A file removed keeps the pair in service.
	if err := os.Remove(cert); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Second)
	if got := served(); got != "third" {
		t.Errorf("with the certificate file gone: %s, want third", got)
	}
	// Files that must not be read: huge, endless, a FIFO without a writer.
	// Each is refused at once, and the pair stays in service.
	huge, err := os.Create(cert)
	if err != nil {
		t.Fatal(err)
	}
	if err := huge.Truncate(400 << 20); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	huge.Close()
	hostile := map[string]func(){
		"a 400 MB file": func() {},
		"/dev/zero": func() {
			os.Remove(cert)
			if err := os.Symlink("/dev/zero", cert); err != nil {
				t.Fatal(err)
			}
		},
		"a FIFO": func() {
			os.Remove(cert)
			if err := syscall.Mkfifo(cert, 0o600); err != nil {
				t.Fatal(err)
			}
		},
	}
	for _, name := range []string{"a 400 MB file", "/dev/zero", "a FIFO"} {
		hostile[name]()
		now = now.Add(2 * time.Second)
		start := time.Now()
		if got := served(); got != "third" {
			t.Errorf("with %s as the certificate: %s, want third", name, got)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("with %s as the certificate, a handshake waited %v", name, took)
		}
	}
}

func TestHashToken(t *testing.T) {
	var out bytes.Buffer
	cmd := newHashTokenCommand()
	cmd.SetOut(&out)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var token, hash string
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "token:"); ok {
			token = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "token_sha256:"); ok {
			hash = strings.TrimSpace(v)
		}
	}
	if len(token) != 43 || tokenHash(token) != hash || checkTokenHash(hash) != nil {
		t.Errorf("hash-token printed %q", out.String())
	}
	out.Reset()
	cmd = newHashTokenCommand()
	cmd.SetOut(&out)
	cmd.SetIn(strings.NewReader(token + "\n"))
	cmd.SetArgs([]string{"--stdin"})
	if err := cmd.Execute(); err != nil || strings.TrimSpace(out.String()) != hash {
		t.Errorf("--stdin: %q %v, want %s", out.String(), err, hash)
	}
	for _, bad := range []string{"short\n", " " + token + "\n", ""} {
		if _, err := readToken(strings.NewReader(bad)); err == nil {
			t.Errorf("readToken(%q) accepted", bad)
		}
	}
}

func TestMisspeltCallersSectionIsSuggested(t *testing.T) {
	_, err := load(t, "auth:\n  caller:\n    alice:\n      allow: [add]\n", nil)
	if err == nil || !strings.Contains(err.Error(), "unknown key auth.caller (did you mean auth.callers?)") {
		t.Errorf("auth.caller: %v", err)
	}
}
