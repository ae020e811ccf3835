package host

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rpchost/rpchost/internal/deploy"
	"github.com/rpchost/rpchost/internal/store/pgtest"
	"github.com/rpchost/rpchost/internal/testutil"
)

// replica is one Host of a fleet sharing a deploy database.
type replica struct {
	name string
	h    *Host
	logs *testutil.SyncBuffer
}

func newReplica(t *testing.T, dsn, name string, dir string, adjust ...func(Config) Config) replica {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	logs := &testutil.SyncBuffer{}
	cfg := NewConfig().WithPluginDir(dir).WithCallTimeout(2*time.Second).WithPoolSize(2).
		WithAdmin(testToken, 16<<20).WithDeployDSN(dsn).WithReplicaName(name).
		WithLogger(slog.New(slog.NewTextHandler(logs, nil)))
	for _, f := range adjust {
		cfg = f(cfg)
	}
	h, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	return replica{name: name, h: h, logs: logs}
}

// serves reports whether r serves plugin name with the module of digest
// ("" for not served).
func (r replica) serves(name, digest string) bool {
	if digest == "" {
		return r.h.current(name) == nil
	}
	l := r.h.current(name)
	return l != nil && l.sha256 == digest
}

// waitAll waits until every replica serves name with digest, and returns
// how long that took.
func waitAll(t *testing.T, within time.Duration, name, digest string, rs ...replica) time.Duration {
	t.Helper()
	start := time.Now()
	for _, r := range rs {
		for !r.serves(name, digest) {
			if time.Since(start) > within {
				t.Fatalf("replica %s does not serve %s %.12s after %v; its log:\n%s", r.name, name, digest, within, r.logs)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	return time.Since(start)
}

func readyzBody(t *testing.T, h *Host) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	return w.Code, w.Body.String()
}

func metricsText(t *testing.T, h *Host) string {
	t.Helper()
	w := httptest.NewRecorder()
	h.metricsHandler.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Body)
	return string(b)
}

// TestDeployAcrossReplicas runs three Hosts sharing one deploy database, as
// three replicas behind a load balancer would.
func TestDeployAcrossReplicas(t *testing.T) {
	srv := pgtest.StartServer(t)
	dsn := pgtest.NewDatabase(t, srv.DSN)
	a, b, c := newReplica(t, dsn, "a", ""), newReplica(t, dsn, "b", ""), newReplica(t, dsn, "c", "")
	ctx := context.Background()
	v1, v2 := fixture(t, "answer1"), fixture(t, "answer2")

	// An upload to A is served by B and C.
	if _, err := a.h.Upload(adminCtx(testToken), "up", v1); err != nil {
		t.Fatal(err)
	}
	took := waitAll(t, 10*time.Second, "up", sha(v1), a, b, c)
	t.Logf("small module (%d bytes): served by the other replicas %v after the upload returned", len(v1), took.Round(time.Millisecond))
	if got, err := c.h.Call(ctx, "up.answer", nil); err != nil || got != int64(1) {
		t.Fatalf("C: up.answer = %v, %v", got, err)
	}

	// A 2.6 MB Go module: the time from upload to served everywhere.
	types, err := os.ReadFile("../plugins/types.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if raceDetector {
		// The race detector makes compiling a Go module take minutes:
		// the distribution is the same for a small one, and the time is
		// measured without -race.
		types = fixture(t, "calc")
	}
	cpu0 := testutil.CPUTime()
	start := time.Now()
	if _, err := b.h.Upload(adminCtx(testToken), "types", types); err != nil {
		t.Fatal(err)
	}
	uploaded := time.Since(start)
	returned := time.Now()
	others := waitAll(t, 60*time.Second, "types", sha(types), a, c)
	t.Logf("module of %d bytes: upload on B answered in %v (compiled there); served by A and C %v later; %v from upload to served everywhere (cold compiles, 2 shared cores, noisy)",
		len(types), uploaded.Round(time.Millisecond), others.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	t.Logf("CPU time of the test process meanwhile (three compiles, the rest is small): %v, about %v per replica",
		(testutil.CPUTime() - cpu0).Round(time.Millisecond), ((testutil.CPUTime() - cpu0) / 3).Round(time.Millisecond))
	// What distribution itself adds (the notification, and fetching the
	// module from the database), apart from compiling: from the upload's
	// answer to the other replica starting to compile.
	for _, r := range []replica{a, c} {
		if at, ok := logTime(r.logs.String(), "msg=compiling plugin=types", "source=deploy"); ok {
			t.Logf("replica %s began compiling it %v after B's upload answered (notification + fetch)", r.name, at.Sub(returned).Round(time.Millisecond))
		}
	}

	// An upload to C, then a rollback on B, reach every replica.
	if _, err := c.h.Upload(adminCtx(testToken), "up", v2); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", sha(v2), a, b, c)
	d, err := b.h.Rollback(adminCtx(testToken), "up", 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.SHA256 != sha(v1) || d.From != "b" || d.Action != "rollback" || d.Version != 3 {
		t.Errorf("rollback on B: %+v", d)
	}
	waitAll(t, 10*time.Second, "up", sha(v1), a, b, c)
	hist, err := a.h.History(ctx, "up")
	if err != nil || len(hist) != 3 {
		t.Fatalf("history on A: %+v, %v", hist, err)
	}
	if hist[0].From != "b" || hist[1].From != "c" || hist[2].From != "a" || hist[2].By != "admin" {
		t.Errorf("history on A: %+v", hist)
	}

	// A removal on C reaches A and B; a rollback brings the plugin back.
	if err := c.h.Remove(adminCtx(testToken), "up"); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", "", a, b, c)
	if _, err := a.h.Rollback(adminCtx(testToken), "up", 0); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", sha(v1), a, b, c)

	// A replica starting with an empty directory serves the fleet's
	// versions as soon as New returns.
	d4 := newReplica(t, dsn, "d", "")
	if !d4.serves("types", sha(types)) || !d4.serves("up", sha(v1)) {
		t.Fatalf("a new replica does not serve the fleet's plugins: %v", d4.h.Plugins())
	}
	d4.h.Close(ctx)

	// A file copied by hand over a name the database has is put back to
	// the database's version; one under a name it has never seen is this
	// replica's own, and stays.
	upFile := filepath.Join(a.h.cfg.pluginDir, "up.wasm")
	if err := os.WriteFile(upFile, v2, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a.h.cfg.pluginDir, "localonly.wasm"), fixture(t, "calc"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 20*time.Second, "A to put back the database's up.wasm", func() bool {
		b, _ := os.ReadFile(upFile)
		return sha(b) == sha(v1) && a.serves("up", sha(v1)) && a.serves("localonly", sha(fixture(t, "calc")))
	})
	time.Sleep(deployPing + time.Second) // one more comparison with the log
	if !a.serves("localonly", sha(fixture(t, "calc"))) || !b.serves("localonly", "") {
		t.Error("a plugin copied by hand under a name the database has never seen is not A's alone")
	}

	// The database's audit table has the attempts, refusals included.
	if _, err := a.h.Call(adminCtx("wrong"), "plugins.rollback", []any{"up"}); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("rollback with a wrong token: %v", err)
	}
	pg, err := deploy.OpenPostgres(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	db, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	waitUntil(t, 5*time.Second, "the refusal in the audit table", func() bool {
		var n int
		err := db.QueryRow(ctx, "SELECT count(*) FROM rpchost_deploy_audit WHERE action = 'rollback' AND outcome = 'refused' AND replica = 'a' AND remote = '192.0.2.1:1234'").Scan(&n)
		return err == nil && n == 1
	})

	// Notifications missed while a replica's connection was down: its
	// listening connection is cut, and a change recorded at once, before it
	// reconnects, is found by comparing with the log.
	if _, err := db.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.Record(ctx, deploy.Entry{Name: "up", Action: deploy.ActionUpload, SHA256: sha(v2), Size: int64(len(v2)), By: "test", From: "test"}, v2, 5, -1); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 15*time.Second, "up", sha(v2), a, b, c)

	// The database goes away: every replica keeps serving, says so in
	// /readyz (still 200) and the metric, logs it once, and refuses
	// changes it cannot record for the others.
	before := len(a.logs.String())
	srv.Stop(t)
	waitUntil(t, 15*time.Second, "A and B to notice the outage", func() bool {
		return a.h.deployNote() != "" && b.h.deployNote() != ""
	})
	for _, r := range []replica{a, b} {
		if got, err := r.h.Call(ctx, "up.answer", nil); err != nil || got != int64(2) {
			t.Errorf("%s during the outage: up.answer = %v, %v", r.name, got, err)
		}
		code, body := readyzBody(t, r.h)
		if code != 200 || !strings.Contains(body, "deploy database unreachable") {
			t.Errorf("%s /readyz during the outage: %d %q", r.name, code, body)
		}
		if m := metricsText(t, r.h); !strings.Contains(m, "rpchost_deploy_database_up 0") {
			t.Errorf("%s metrics during the outage lack rpchost_deploy_database_up 0", r.name)
		}
	}
	if _, err := a.h.Upload(adminCtx(testToken), "up", v1); !errors.Is(err, ErrDeployUnavailable) || FaultOf(err).Code != CodeUnavailable {
		t.Errorf("upload during the outage: %v", err)
	}
	if !a.serves("up", sha(v2)) {
		t.Error("a refused upload changed what A serves")
	}
	time.Sleep(1500 * time.Millisecond) // several retries
	if n := strings.Count(a.logs.String()[before:], "deploy database unreachable; serving"); n != 1 {
		t.Errorf("A logged the outage %d times, want once:\n%s", n, a.logs)
	}

	// It comes back: every replica catches up.
	srv.Restart(t)
	waitUntil(t, 20*time.Second, "A and B to reconnect", func() bool {
		return a.h.deployNote() == "" && b.h.deployNote() == ""
	})
	if _, err := a.h.Upload(adminCtx(testToken), "up", v1); err != nil {
		t.Fatal(err)
	}
	waitAll(t, 10*time.Second, "up", sha(v1), a, b, c)
	if code, body := readyzBody(t, a.h); code != 200 || body != "ready\n" {
		t.Errorf("/readyz after the outage: %d %q", code, body)
	}
	if m := metricsText(t, a.h); !strings.Contains(m, "rpchost_deploy_database_up 1") {
		t.Error("metrics after the outage lack rpchost_deploy_database_up 1")
	}
	if !strings.Contains(a.logs.String(), "deploy database reachable again") {
		t.Errorf("A did not log the end of the outage:\n%s", a.logs)
	}
}

func waitUntil(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logTime finds the first line of a text log holding every one of parts
// and returns its time= attribute.
func logTime(logs string, parts ...string) (time.Time, bool) {
	for _, line := range strings.Split(logs, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if !all || !strings.HasPrefix(line, "time=") {
			continue
		}
		ts, _, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
		at, err := time.Parse(time.RFC3339Nano, ts)
		return at, err == nil
	}
	return time.Time{}, false
}

// Names differing only in case cannot both be recorded, whichever replica
// takes each: the second is refused before it is recorded (red team: at
// once on two replicas, each recorded its own, then skipped the other's,
// and the two served different plugins).
func TestCaseTwinsAcrossReplicasAreRefused(t *testing.T) {
	srv := pgtest.StartServer(t)
	dsn := pgtest.NewDatabase(t, srv.DSN)
	a := newReplica(t, dsn, "a", "")
	b := newReplica(t, dsn, "b", "")
	v1, v2 := fixture(t, "answer1"), fixture(t, "answer2")
	errs := make(chan error, 2)
	go func() { _, err := a.h.Upload(adminCtx(testToken), "tw0", v1); errs <- err }()
	go func() { _, err := b.h.Upload(adminCtx(testToken), "TW0", v2); errs <- err }()
	var refused int
	for range 2 {
		if err := <-errs; errors.Is(err, ErrBadPluginName) {
			refused++
		} else if err != nil {
			t.Errorf("upload: %v", err)
		}
	}
	if refused != 1 {
		t.Fatalf("%d of the two uploads refused, want exactly one", refused)
	}
	latest, err := a.h.deploy.pg.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 1 {
		t.Errorf("the log records %d names, want the one accepted: %v", len(latest), latest)
	}
}
