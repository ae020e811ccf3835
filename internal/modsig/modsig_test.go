package modsig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/internal/testutil"
)

func TestParseAcceptsRawAndBase64AndRefusesTheRest(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	sig := Sign(priv, []byte("\x00asm module"))
	for name, in := range map[string][]byte{
		"raw":          sig,
		"base64":       Encode(sig),
		"base64 CRLF":  append(bytes.TrimSpace(Encode(sig)), '\r', '\n'),
		"base64 bare":  bytes.TrimSpace(Encode(sig)),
		"base64 space": append([]byte("  "), Encode(sig)...),
	} {
		got, err := Parse(in)
		if err != nil || !bytes.Equal(got, sig) {
			t.Errorf("%s: %x, %v", name, got, err)
		}
	}
	for name, in := range map[string][]byte{
		"empty":     {},
		"63 bytes":  sig[:63],
		"short b64": []byte("AAAA"),
		"not b64":   []byte("%%%%"),
		"too large": bytes.Repeat([]byte("A"), MaxSignatureBytes+1),
	} {
		if _, err := Parse(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

func TestVerifyNeedsTheRightKeyAndModule(t *testing.T) {
	a := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	b := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))
	keys := []ed25519.PublicKey{b.Public().(ed25519.PublicKey), a.Public().(ed25519.PublicKey)}
	m := []byte("module")
	if i := Verify(keys, sha256.Sum256(m), Sign(a, m)); i != 1 {
		t.Errorf("signed by key 2: Verify = %d", i)
	}
	if i := Verify(keys, sha256.Sum256([]byte("other")), Sign(a, m)); i != -1 {
		t.Errorf("another module: Verify = %d", i)
	}
	// Without the prefix, a signature over the bare digest does not pass.
	sum := sha256.Sum256(m)
	if i := Verify(keys, sum, ed25519.Sign(a, sum[:])); i != -1 {
		t.Errorf("a signature over the bare digest: Verify = %d", i)
	}
	pemKey, err := EncodePrivateKey(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKey(pemKey)
	if err != nil || !back.Equal(a) {
		t.Errorf("private key round trip: %v", err)
	}
	if _, err := ParsePublicKey(EncodePublicKey(a.Public().(ed25519.PublicKey))); err != nil {
		t.Error(err)
	}
}

// TestOpenSSLSignsWhatRpchostVerifies follows README's recipe for signing
// without rpchost: openssl over the prefix and the raw digest.
func TestOpenSSLSignsWhatRpchostVerifies(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	key, module := filepath.Join(dir, "key.pem"), filepath.Join(dir, "m.wasm")
	if err := os.WriteFile(module, []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	sh := func(script string) string {
		t.Helper()
		out, err := exec.Command("sh", "-c", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
		return string(out)
	}
	q := func(s string) string { return "'" + s + "'" }
	sh(openssl + " genpkey -algorithm ed25519 -out " + q(key))
	sh("(printf 'rpchost module v1\\n'; " + openssl + " dgst -sha256 -binary " + q(module) + ") > " + q(module+".msg") +
		" && " + openssl + " pkeyutl -sign -rawin -inkey " + q(key) + " -in " + q(module+".msg") + " -out " + q(module+".sig"))
	pub := strings.TrimSpace(sh(openssl + " pkey -in " + q(key) + " -pubout -outform DER | tail -c 32 | base64"))

	pk, err := ParsePublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(module + ".sig")
	sig, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(module)
	if Verify([]ed25519.PublicKey{pk}, sha256.Sum256(b), sig) != 0 {
		t.Error("openssl's signature does not verify")
	}
	// And rpchost sign's reading of openssl's key file.
	pemBytes, _ := os.ReadFile(key)
	priv, err := ParsePrivateKey(pemBytes)
	if err != nil || !priv.Public().(ed25519.PublicKey).Equal(pk) {
		t.Errorf("openssl's key file: %v", err)
	}
}

// BenchmarkRefusalCost is what a refused module costs the server before
// anything is compiled: its SHA-256 and one verification per trusted key
// (README, Security model).
func BenchmarkRefusalCost(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))
	keys := []ed25519.PublicKey{priv.Public().(ed25519.PublicKey)}
	b.Run("sha256-64MiB", func(b *testing.B) {
		m := make([]byte, 64<<20)
		b.SetBytes(int64(len(m)))
		for b.Loop() {
			sha256.Sum256(m)
		}
	})
	b.Run("verify", func(b *testing.B) {
		sig := Sign(priv, []byte("other"))
		sum := sha256.Sum256([]byte("m"))
		for b.Loop() {
			Verify(keys, sum, sig)
		}
	})
}
