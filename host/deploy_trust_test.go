package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/store/pgtest"
)

// sigOnDisk returns the plugin's signature file, or nil.
func sigOnDisk(t *testing.T, h *Host, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(h.cfg.pluginDir, name+sigExt))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRollbackKeepsTheSignature: with deploy.trusted_keys set, a rollback
// serves the earlier module with the signature its upload brought, which
// the version log kept: checked, written beside the module, recorded with
// the rollback's entry, and loaded again after a restart.
func TestRollbackKeepsTheSignature(t *testing.T) {
	pub, priv := testKey(1)
	h, _ := newTestHost(t, nil, withTestAdmin, trusting(pub))
	ctx := adminCtx(testToken)
	v1, v2 := fixture(t, "answer1"), fixture(t, "answer2")
	for _, m := range [][]byte{v1, v2} {
		if _, err := h.UploadSigned(ctx, "up", m, sigFile(priv, m)); err != nil {
			t.Fatal(err)
		}
	}
	answerIs(t, h, 2)
	d, err := h.Rollback(ctx, "up", 0)
	if err != nil {
		t.Fatalf("rollback to a signed version: %v", err)
	}
	if d.SHA256 != sha(v1) || !d.Signed || d.Action != "rollback" {
		t.Errorf("rollback entry %+v, want v1's module, signed", d)
	}
	answerIs(t, h, 1)
	if got, want := string(sigOnDisk(t, h, "up")), string(sigFile(priv, v1)); got != want {
		t.Errorf("up.wasm.sig after the rollback = %q, want v1's %q", got, want)
	}
	hist, err := h.History(ctx, "up")
	if err != nil || len(hist) != 3 || !hist[0].Signed || !hist[1].Signed || !hist[2].Signed {
		t.Fatalf("history %+v, %v; want three signed entries", hist, err)
	}
	// The rollback's entry kept the signature too: rolling back to it
	// works as to an upload.
	if _, err := h.Rollback(ctx, "up", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Rollback(ctx, "up", 3); err != nil {
		t.Fatalf("rollback to the entry of a rollback: %v", err)
	}
	answerIs(t, h, 1)
	// The history over the network says so.
	v, err := h.Call(ctx, "plugins.history", []any{"up"})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := v.([]any)
	if len(list) != 5 {
		t.Fatalf("plugins.history = %v", v)
	}
	if s, _ := list[0].(abi.Struct); s == nil {
		t.Errorf("plugins.history entry %v", list[0])
	} else if signed, _ := s.Get("signed"); signed != true {
		t.Errorf("plugins.history entry %v: signed = %v, want true", s, signed)
	}

	// A restart loads the module from the directory, with its signature.
	dir := h.cfg.pluginDir
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	h2, err := New(context.Background(), NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0).WithTrustedKeys(h.cfg.TrustedKeys()))
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close(context.Background())
	answerIs(t, h2, 1)
}

// TestRollbackToAnUnsignedVersionIsRefused: an entry recorded before
// deploy.trusted_keys was set has no signature; rolling back to it is
// refused as an unsigned upload would be, and the version served stays.
func TestRollbackToAnUnsignedVersionIsRefused(t *testing.T) {
	h, _ := newTestHost(t, nil, withTestAdmin)
	v1, v2 := fixture(t, "answer1"), fixture(t, "answer2")
	if _, err := h.Upload(context.Background(), "up", v1); err != nil {
		t.Fatal(err)
	}
	dir := h.cfg.pluginDir
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	pub, priv := testKey(1)
	h2, logs := newTestHost(t, nil, withTestAdmin, trusting(pub), func(c Config) Config { return c.WithPluginDir(dir) })
	answerIs(t, h2, 0) // the unsigned file is refused now
	if _, err := h2.UploadSigned(context.Background(), "up", v2, sigFile(priv, v2)); err != nil {
		t.Fatal(err)
	}
	_, err := h2.Rollback(adminCtx(testToken), "up", 1)
	if !errors.Is(err, ErrUnsigned) || !strings.Contains(err.Error(), "upload the module again, signed") {
		t.Fatalf("rollback to an unsigned version: %v, want ErrUnsigned saying what to do", err)
	}
	if f := FaultOf(err); f == nil {
		t.Errorf("no fault for %v", err)
	}
	answerIs(t, h2, 2)
	if got, want := string(sigOnDisk(t, h2, "up")), string(sigFile(priv, v2)); got != want {
		t.Errorf("up.wasm.sig after the refused rollback = %q, want v2's", got)
	}
	if hist, _ := h2.History(context.Background(), "up"); len(hist) != 2 || hist[0].Signed != true || hist[1].Signed {
		t.Errorf("history %+v: want the refused rollback unrecorded, v2 signed, v1 not", hist)
	}
	if !strings.Contains(logs.String(), `outcome="refused: unsigned"`) {
		t.Errorf("the refusal is not in the trail:\n%s", logs)
	}
}

// TestSignaturesTravelWithTheDeployLog runs replicas sharing one deploy
// database: A trusts no key (it checks nothing), B trusts the signer's
// key, C another key. A signed upload to A is served by B, with its
// signature beside the module, and refused by C; an unsigned one is
// refused by B and C; a rollback on A brings the signed version back
// everywhere it is trusted.
func TestSignaturesTravelWithTheDeployLog(t *testing.T) {
	srv := pgtest.StartServer(t)
	dsn := pgtest.NewDatabase(t, srv.DSN)
	pub, priv := testKey(1)
	other, _ := testKey(2)
	a := newReplica(t, dsn, "a", "")
	b := newReplica(t, dsn, "b", "", trusting(pub))
	c := newReplica(t, dsn, "c", "", trusting(other))
	v1, v2 := fixture(t, "answer1"), fixture(t, "answer2")

	if _, err := a.h.UploadSigned(adminCtx(testToken), "up", v1, sigFile(priv, v1)); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", sha(v1), a, b)
	if got, want := string(sigOnDisk(t, b.h, "up")), string(sigFile(priv, v1)); got != want {
		t.Errorf("B's up.wasm.sig = %q, want %q", got, want)
	}
	waitUntil(t, 10*time.Second, "C to refuse a module signed by a key it does not trust", func() bool {
		return strings.Contains(c.logs.String(), "the version log's signature does not verify")
	})
	if !c.serves("up", "") {
		t.Error("C serves a module signed by a key it does not trust")
	}

	// Unsigned: B and C refuse it, and B keeps serving v1.
	if _, err := a.h.Upload(adminCtx(testToken), "up", v2); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", sha(v2), a)
	waitUntil(t, 10*time.Second, "B to refuse the unsigned version", func() bool {
		return strings.Contains(b.logs.String(), "module not signed")
	})
	if !b.serves("up", sha(v1)) {
		t.Error("B stopped serving v1 for an unsigned v2")
	}
	// The same module uploaded again, signed: B serves it, although it
	// refused those very bytes a moment ago.
	if _, err := a.h.UploadSigned(adminCtx(testToken), "up", v2, sigFile(priv, v2)); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", sha(v2), a, b)
	if got, want := string(sigOnDisk(t, b.h, "up")), string(sigFile(priv, v2)); got != want {
		t.Errorf("B's up.wasm.sig = %q, want v2's %q", got, want)
	}

	// A rollback on A: the signature of the entry restored goes with it.
	d, err := a.h.Rollback(adminCtx(testToken), "up", 1)
	if err != nil || !d.Signed {
		t.Fatalf("rollback on A: %+v, %v", d, err)
	}
	waitAll(t, 10*time.Second, "up", sha(v1), a, b)
	if got, want := string(sigOnDisk(t, b.h, "up")), string(sigFile(priv, v1)); got != want {
		t.Errorf("B's up.wasm.sig after the rollback = %q, want v1's", got)
	}
	// Every replica records the signature with the entries it makes: a
	// rollback on B to A's signed upload serves it everywhere.
	if _, err := b.h.Rollback(adminCtx(testToken), "up", 3); err != nil { // 2 was v2 unsigned, 3 v2 signed
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", sha(v2), a, b)

	// B restarted over its directory serves the module, with its
	// signature, before it even reaches the database.
	dir := b.h.cfg.pluginDir
	b.h.Close(context.Background())
	srv.Stop(t)
	b2 := newReplica(t, dsn, "b2", dir, trusting(pub))
	if !b2.serves("up", sha(v2)) {
		t.Errorf("B restarted without the database does not serve up.wasm from its directory:\n%s", b2.logs)
	}
	srv.Restart(t) // for the database's cleanup
}

// TestAFreshFleetIsReady: with deploy.dsn, a replica whose database has no
// plugin yet is ready (nothing to wait for), so that a load balancer lets
// the first upload through; once the log has plugins, a replica serving
// none of them is not; one machine still needs a plugin.
func TestAFreshFleetIsReady(t *testing.T) {
	srv := pgtest.StartServer(t)
	dsn := pgtest.NewDatabase(t, srv.DSN)
	pub, priv := testKey(1)
	a := newReplica(t, dsn, "a", "")
	b := newReplica(t, dsn, "b", "", trusting(pub))
	for _, r := range []replica{a, b} {
		if code, body := readyzBody(t, r.h); code != 200 || !strings.Contains(body, "no plugins yet") {
			t.Errorf("%s /readyz in a fresh fleet: %d %q, want 200 saying there is nothing yet", r.name, code, body)
		}
	}
	// An unsigned upload: A serves it, B refuses it and is not ready.
	v1 := fixture(t, "answer1")
	if _, err := a.h.Upload(adminCtx(testToken), "up", v1); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "B to refuse the unsigned module", func() bool {
		code, _ := readyzBody(t, b.h)
		return code == 503
	})
	if code, body := readyzBody(t, b.h); !strings.Contains(body, "no plugins loaded") {
		t.Errorf("B /readyz serving none of the fleet's plugins: %d %q", code, body)
	}
	if code, body := readyzBody(t, a.h); code != 200 || body != "ready\n" {
		t.Errorf("A /readyz: %d %q", code, body)
	}
	if _, err := a.h.UploadSigned(adminCtx(testToken), "up", v1, sigFile(priv, v1)); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", sha(v1), b)
	if code, _ := readyzBody(t, b.h); code != 200 {
		t.Errorf("B /readyz serving the signed module: %d", code)
	}
	// Removed everywhere: nothing to serve again, ready again.
	if err := a.h.Remove(adminCtx(testToken), "up"); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", "", a, b)
	waitUntil(t, 10*time.Second, "B to be ready with the only plugin removed", func() bool {
		code, _ := readyzBody(t, b.h)
		return code == 200
	})
	// A replica that never reached its database does not know what the
	// fleet serves: not ready, with or without plugins of its own.
	srv.Stop(t)
	c := newReplica(t, dsn, "c", "")
	if code, body := readyzBody(t, c.h); code != 503 || !strings.Contains(body, "has not answered since start") {
		t.Errorf("C /readyz without its database or a plugin: %d %q", code, body)
	}
	srv.Restart(t) // for the database's cleanup
}
