package host

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/modsig"
)

// testKey is a deterministic ed25519 key, so failures reproduce.
func testKey(seed byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey), priv
}

func trusting(keys ...ed25519.PublicKey) func(Config) Config {
	return func(c Config) Config {
		var s []string
		for _, k := range keys {
			s = append(s, modsig.EncodePublicKey(k))
		}
		return c.WithTrustedKeys(s)
	}
}

func pinning(modules ...[]byte) func(Config) Config {
	return func(c Config) Config {
		var s []string
		for _, m := range modules {
			sum := sha256.Sum256(m)
			s = append(s, hex.EncodeToString(sum[:]))
		}
		return c.WithAllowedSHA256(s)
	}
}

func sigFile(key ed25519.PrivateKey, module []byte) []byte {
	return modsig.Encode(modsig.Sign(key, module))
}

func refusals(t *testing.T, h *Host, reason string) float64 {
	t.Helper()
	v, ok := metricSample(scrape(t, h.MonitoringHandler()), "rpchost_plugin_refusals_total", "reason", reason)
	if !ok {
		t.Fatalf("no rpchost_plugin_refusals_total{reason=%q}", reason)
	}
	return v
}

func TestUnsignedAndWronglySignedUploadsAreRefusedBeforeCompiling(t *testing.T) {
	pub, priv := testKey(1)
	_, other := testKey(2)
	h, logs := newTestHost(t, nil, withTestAdmin, trusting(pub))
	good, second := fixture(t, "answer1"), fixture(t, "answer2")
	malformed := []byte("not a signature\n")
	cases := []struct {
		name string
		sig  []byte // nil: no third param
		want error
		says string
	}{
		{"unsigned", nil, ErrUnsigned, "rpchost sign"},
		{"signed by a key not trusted", sigFile(other, good), ErrBadSignature, "made by another key"},
		{"signature of another module", sigFile(priv, second), ErrBadSignature, "for another module"},
		{"malformed", malformed, ErrBadSignature, "neither 64 raw bytes nor base64"},
		{"oversized", bytes.Repeat([]byte("A"), modsig.MaxSignatureBytes+1), ErrBadSignature, "the limit is 4096"},
		{"empty", []byte{}, ErrBadSignature, "empty"},
	}
	for _, tc := range cases {
		params := []any{"up", good}
		if tc.sig != nil {
			params = append(params, tc.sig)
		}
		_, err := h.Call(adminCtx(testToken), "plugins.upload", params)
		if !errors.Is(err, tc.want) || toFault(err).Code != CodeUntrustedModule || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v (fault %d), want %v (fault %d) saying %q", tc.name, err, toFault(err).Code, tc.want, CodeUntrustedModule, tc.says)
		}
	}
	if got := dirNames(t, h.cfg.pluginDir); len(got) != 0 {
		t.Errorf("refused uploads left %v in the plugin directory", got)
	}
	if strings.Contains(logs.String(), "compiling") {
		t.Errorf("a refused upload was compiled:\n%s", logs)
	}
	sum := sha256.Sum256(good)
	for _, want := range []string{`outcome="refused: unsigned"`, `outcome="refused: bad_signature"`, "caller=admin", "remote=192.0.2.1:1234", "sha256=" + hex.EncodeToString(sum[:])} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the audit trail lacks %s:\n%s", want, logs)
		}
	}
	if u, b := refusals(t, h, "unsigned"), refusals(t, h, "bad_signature"); u != 1 || b != 5 {
		t.Errorf("refusals counted unsigned %v, bad_signature %v; want 1 and 5", u, b)
	}

	// Signed by the trusted key: served, and its signature kept beside it.
	info, err := h.Call(adminCtx(testToken), "plugins.upload", []any{"up", good, sigFile(priv, good)})
	if err != nil {
		t.Fatalf("signed upload: %v", err)
	}
	if got, _ := h.Call(context.Background(), "up.answer", nil); got != int64(1) {
		t.Errorf("up.answer after the signed upload = %v (%v)", got, info)
	}
	if got := dirNames(t, h.cfg.pluginDir); strings.Join(got, " ") != "up.wasm up.wasm.sig" {
		t.Errorf("plugin directory holds %v, want the module and its signature", got)
	}
	// Raw signature bytes are a signature too (what openssl pkeyutl writes).
	if _, err := h.Call(adminCtx(testToken), "plugins.upload", []any{"up", second, modsig.Sign(priv, second)}); err != nil {
		t.Errorf("upload with a raw 64-byte signature: %v", err)
	}
	if _, err := h.Call(adminCtx(testToken), "plugins.upload", []any{"up", good, sigFile(priv, good), "x"}); toFault(err).Code != -32602 {
		t.Errorf("four params: %v, want -32602", err)
	}
	if err := h.Remove(adminCtx(testToken), "up"); err != nil {
		t.Fatal(err)
	}
	secondSum := sha256.Sum256(second)
	if !strings.Contains(logs.String(), `msg="admin remove" remote=192.0.2.1:1234 caller=admin plugin=up outcome=accepted version=2 size=76 sha256=`+hex.EncodeToString(secondSum[:])) {
		t.Errorf("the removal's line does not name the version removed by its digest:\n%s", logs)
	}
	if got := dirNames(t, h.cfg.pluginDir); len(got) != 0 {
		t.Errorf("after remove the plugin directory holds %v", got)
	}
}

func TestAnUploadedSignatureSurvivesARestart(t *testing.T) {
	pub, priv := testKey(1)
	h, _ := newTestHost(t, nil, withTestAdmin, trusting(pub))
	good := fixture(t, "answer1")
	if _, err := h.UploadSigned(context.Background(), "up", good, sigFile(priv, good)); err != nil {
		t.Fatal(err)
	}
	// A second host over the same directory: the module loads from the disk,
	// with the signature the upload wrote.
	cfg := NewConfig().WithPluginDir(h.cfg.pluginDir).WithWatch(false, 0, 0).WithTrustedKeys(h.cfg.TrustedKeys())
	h2, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close(context.Background())
	if got, err := h2.Call(context.Background(), "up.answer", nil); got != int64(1) {
		t.Errorf("after a restart up.answer = %v, %v", got, err)
	}
	// An unsigned upload over it removes the old signature, which belongs
	// to the old module, when signatures are not required.
	h3, _ := newTestHost(t, nil, withTestAdmin)
	if _, err := h3.UploadSigned(context.Background(), "up", good, sigFile(priv, good)); err != nil {
		t.Fatal(err)
	}
	if _, err := h3.Upload(context.Background(), "up", fixture(t, "answer2")); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, h3.cfg.pluginDir); strings.Join(got, " ") != "up.wasm" {
		t.Errorf("after an unsigned upload the plugin directory holds %v", got)
	}
}

func TestPinningRefusesOtherDigests(t *testing.T) {
	good, other := fixture(t, "answer1"), fixture(t, "answer2")
	h, logs := newTestHost(t, map[string][]byte{"dir1.wasm": good, "dir2.wasm": other}, withTestAdmin, pinning(good))
	otherSum := sha256.Sum256(other)
	_, err := h.Call(adminCtx(testToken), "plugins.upload", []any{"up", other})
	if !errors.Is(err, ErrNotPinned) || toFault(err).Code != CodeUntrustedModule || !strings.Contains(err.Error(), hex.EncodeToString(otherSum[:])) {
		t.Errorf("unpinned upload: %v, want ErrNotPinned naming the digest", err)
	}
	if _, err := h.Call(adminCtx(testToken), "plugins.upload", []any{"up", good}); err != nil {
		t.Errorf("pinned upload: %v", err)
	}
	if got, _ := h.Call(context.Background(), "dir1.answer", nil); got != int64(1) {
		t.Errorf("the pinned file is not served: %v", got)
	}
	_, err = h.Call(context.Background(), "dir2.answer", nil)
	if !errors.Is(err, ErrMethodNotFound) || !strings.Contains(err.Error(), "deploy.allowed_sha256") {
		t.Errorf("a method of the unpinned file: %v; want not found, saying it is not pinned", err)
	}
	if n := refusals(t, h, "not_pinned"); n != 2 {
		t.Errorf("not_pinned refusals %v, want 2 (one upload, one file)", n)
	}
	if strings.Count(logs.String(), "compiling") != 2 {
		t.Errorf("want exactly the two pinned modules compiled:\n%s", logs)
	}
}

func TestDirectoryModulesNeedTheirSignature(t *testing.T) {
	pub, priv := testKey(1)
	_, other := testKey(2)
	good, second := fixture(t, "answer1"), fixture(t, "answer2")
	dir := pluginDir(t, map[string][]byte{
		"signed.wasm": good, "signed.wasm.sig": sigFile(priv, good),
		"unsigned.wasm": good,
		"foreign.wasm":  second, "foreign.wasm.sig": sigFile(other, second),
		"orphan.wasm.sig": sigFile(priv, good), // no module: ignored
		"oversized.wasm":  good, "oversized.wasm.sig": bytes.Repeat([]byte("A"), modsig.MaxSignatureBytes+1),
	})
	// Files older than the racy window, whose stat the loader trusts: only
	// a change of their signature's stat makes it read them again.
	old := time.Now().Add(-time.Hour)
	for _, name := range dirNames(t, dir) {
		if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	h, _ := newTestHost(t, nil, trusting(pub), fastWatch, func(c Config) Config { return c.WithPluginDir(dir) })
	if got, _ := h.Call(context.Background(), "signed.answer", nil); got != int64(1) {
		t.Errorf("signed.answer = %v", got)
	}
	for method, why := range map[string]string{"unsigned.answer": "not signed", "foreign.answer": "does not verify", "oversized.answer": "the limit is 4096"} {
		_, err := h.Call(context.Background(), method, nil)
		if !errors.Is(err, ErrMethodNotFound) || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: %v; want not found, saying %q", method, err, why)
		}
	}
	var listed []string
	for _, r := range h.Refused() {
		listed = append(listed, r.Name)
	}
	if strings.Join(listed, " ") != "foreign oversized unsigned" {
		t.Errorf("refused files %v", listed)
	}
	if u, b := refusals(t, h, "unsigned"), refusals(t, h, "bad_signature"); u != 1 || b != 2 {
		t.Errorf("refusals unsigned %v, bad_signature %v; want 1 and 2", u, b)
	}

	// The signature added later: the module loads, the watcher having seen
	// only the .sig appear.
	writeReplace(t, filepath.Join(h.cfg.pluginDir, "unsigned.wasm.sig"), sigFile(priv, good))
	eventually(t, "unsigned.answer is served once its signature is there", answers(h, "unsigned.answer", int64(1)))
	// A good signature replacing a foreign one.
	writeReplace(t, filepath.Join(h.cfg.pluginDir, "foreign.wasm.sig"), sigFile(priv, second))
	eventually(t, "foreign.answer is served once its signature is replaced", answers(h, "foreign.answer", int64(2)))
	// A new version of a module without a new signature: refused, and the
	// previous version keeps serving.
	writeReplace(t, filepath.Join(h.cfg.pluginDir, "signed.wasm"), second)
	eventually(t, "the new version is refused", func() bool {
		for _, r := range h.Refused() {
			if r.Name == "signed" && strings.Contains(r.Reason, "does not verify") {
				return true
			}
		}
		return false
	})
	if got, _ := h.Call(context.Background(), "signed.answer", nil); got != int64(1) {
		t.Errorf("the previous version stopped serving: %v", got)
	}
	// A FIFO for a signature is refused, not waited on.
	fifo := filepath.Join(h.cfg.pluginDir, "fifo.wasm.sig")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	writeReplace(t, filepath.Join(h.cfg.pluginDir, "fifo.wasm"), good)
	eventually(t, "the module with a FIFO for a signature is refused", func() bool {
		_, err := h.Call(context.Background(), "fifo.answer", nil)
		return err != nil && strings.Contains(err.Error(), "not a regular file")
	})
}

func TestSignedUploadOverPlainHTTP(t *testing.T) {
	pub, priv := testKey(1)
	h, _ := newTestHost(t, nil, withTestAdmin, trusting(pub))
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	good := fixture(t, "answer1")
	put := func(sig string) int {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/plugins/up.wasm", bytes.NewReader(good))
		req.Header.Set("Authorization", "Bearer "+testToken)
		if sig != "" {
			req.Header.Set(SignatureHeader, sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := put(""); st != http.StatusForbidden {
		t.Errorf("unsigned PUT: %d, want 403", st)
	}
	_, otherKey := testKey(2)
	if st := put(strings.TrimSpace(string(sigFile(otherKey, good)))); st != http.StatusForbidden {
		t.Errorf("PUT signed by another key: %d, want 403", st)
	}
	if st := put(strings.Repeat("A", modsig.MaxSignatureBytes+1)); st != http.StatusForbidden {
		t.Errorf("PUT with a signature header over 4096 bytes: %d, want 403", st)
	}
	if st := put(strings.TrimSpace(string(sigFile(priv, good)))); st != http.StatusOK {
		t.Errorf("signed PUT: %d, want 200", st)
	}
}

func TestMalformedTrustSettingsAreRefusedNamingTheKey(t *testing.T) {
	pub, _ := testKey(1)
	cfg := NewConfig().WithPluginDir(t.TempDir()).
		WithTrustedKeys([]string{modsig.EncodePublicKey(pub), "bm90IGEga2V5"}).
		WithAllowedSHA256([]string{"abc"})
	_, err := New(context.Background(), cfg)
	for _, want := range []string{`deploy.trusted_keys: entry 2 "bm90IGEga2V5"`, "9 bytes once base64-decoded", `deploy.allowed_sha256: entry 1 "abc"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New: %v; want it to say %s", err, want)
		}
	}
}

func TestThePageSaysWhyAnUnsignedFileIsRefused(t *testing.T) {
	pub, _ := testKey(1)
	h, _ := newTestHost(t, map[string][]byte{"unsigned.wasm": fixture(t, "answer1")}, trusting(pub))
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.Header.Set("Accept", browserAccept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	for _, want := range []string{"Refused files", "<code>unsigned.wasm</code>", "module not signed: deploy.trusted_keys is set"} {
		if !strings.Contains(body.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
