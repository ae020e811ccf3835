package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/internal/modsig"
)

func runTrustCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestKeygenAndSignMakeWhatTheServerVerifies(t *testing.T) {
	dir := t.TempDir()
	key, module := filepath.Join(dir, "k"), filepath.Join(dir, "m.wasm")
	if err := os.WriteFile(module, []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runTrustCommand(t, "keygen", key)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := modsig.ParsePublicKey(strings.TrimSpace(strings.SplitN(out, "\n", 2)[0]))
	if err != nil {
		t.Fatalf("keygen's first line %q: %v", out, err)
	}
	if _, err := runTrustCommand(t, "sign", key, module); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(module + ".sig")
	sig, err := modsig.Parse(raw)
	b, _ := os.ReadFile(module)
	if err != nil || modsig.Verify([]ed25519.PublicKey{pub}, sha256.Sum256(b), sig) != 0 {
		t.Errorf("the signature sign wrote does not verify with keygen's key: %v", err)
	}
}

func TestSignRefusesWhatIsNotAKey(t *testing.T) {
	dir := t.TempDir()
	module := filepath.Join(dir, "m.wasm")
	_ = os.WriteFile(module, []byte("\x00asm"), 0o644)
	for name, content := range map[string][]byte{
		"not PEM":  []byte("hello"),
		"too big":  bytes.Repeat([]byte("x"), 70<<10),
		"a module": []byte("\x00asm\x01\x00\x00\x00"),
	} {
		key := filepath.Join(dir, "key")
		_ = os.WriteFile(key, content, 0o600)
		if _, err := runTrustCommand(t, "sign", key, module); err == nil {
			t.Errorf("%s: sign succeeded", name)
		} else if !strings.Contains(err.Error(), "key") {
			t.Errorf("%s: %v does not say the key is the problem", name, err)
		}
	}
	if _, err := os.Stat(module + ".sig"); err == nil {
		t.Error("a refused sign wrote a signature")
	}
}
