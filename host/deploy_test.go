package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/deploy"
)

// answerIs checks what up.answer returns (0 for "not served").
func answerIs(t *testing.T, h *Host, want int64) {
	t.Helper()
	got, err := h.Call(context.Background(), "up.answer", nil)
	if want == 0 {
		if !errors.Is(err, ErrMethodNotFound) {
			t.Fatalf("up.answer = %v, %v; want it not served", got, err)
		}
		return
	}
	if err != nil || got != want {
		t.Fatalf("up.answer = %v, %v; want %d", got, err, want)
	}
}

func TestHistoryAndRollbackOnOneMachine(t *testing.T) {
	h, logs := newTestHost(t, nil, withTestAdmin)
	ctx := adminCtx(testToken)
	v1, v2 := fixture(t, "answer1"), fixture(t, "answer2")
	for _, m := range [][]byte{v1, v2} {
		if _, err := h.Upload(ctx, "up", m); err != nil {
			t.Fatal(err)
		}
	}
	answerIs(t, h, 2)
	hist, err := h.History(ctx, "up.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Version != 2 || hist[1].Version != 1 || hist[0].Action != "upload" ||
		hist[0].SHA256 != sha(v2) || hist[1].SHA256 != sha(v1) || hist[0].By != "admin" || hist[0].Size != int64(len(v2)) {
		t.Fatalf("history %+v", hist)
	}

	// The default: the previous module.
	d, err := h.Rollback(ctx, "up", 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 3 || d.Action != "rollback" || d.SHA256 != sha(v1) {
		t.Errorf("rollback %+v", d)
	}
	answerIs(t, h, 1)
	if !strings.Contains(logs.String(), `msg="admin rollback"`) {
		t.Errorf("no audit line for the rollback:\n%s", logs)
	}
	// Again: the previous module is v2's (version 3 serves v1's).
	if _, err := h.Rollback(ctx, "up", 0); err != nil {
		t.Fatal(err)
	}
	answerIs(t, h, 2)
	// By number, and refusals.
	if _, err := h.Rollback(ctx, "up", 1); err != nil {
		t.Fatal(err)
	}
	answerIs(t, h, 1)
	for _, c := range []struct {
		name    string
		version int64
		want    error
	}{
		{"up", 99, ErrNoSuchVersion},
		{"up", 5, ErrNoSuchVersion}, // the current one
		{"up", -1, ErrNoSuchVersion},
		{"../up", 0, ErrBadPluginName},
		{"system", 0, ErrBadPluginName},
		{"nothing", 0, ErrNoSuchPlugin},
	} {
		if _, err := h.Rollback(ctx, c.name, c.version); !errors.Is(err, c.want) {
			t.Errorf("Rollback(%q, %d) = %v, want %v", c.name, c.version, err, c.want)
		}
	}
	answerIs(t, h, 1)

	// A removal is a version; rolling back after it serves the last module again.
	if err := h.Remove(ctx, "up"); err != nil {
		t.Fatal(err)
	}
	answerIs(t, h, 0)
	if _, err := h.Rollback(ctx, "up", 6); !errors.Is(err, ErrNoSuchVersion) {
		t.Errorf("rollback to a removal: %v", err)
	}
	if d, err := h.Rollback(ctx, "up", 0); err != nil || d.SHA256 != sha(v1) {
		t.Fatalf("rollback after removal: %+v, %v", d, err)
	}
	answerIs(t, h, 1)

	// The log survives a restart, beside the plugins.
	dir := h.cfg.pluginDir
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	h2, err := New(context.Background(), NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close(context.Background())
	answerIs(t, h2, 1)
	hist, err = h2.History(context.Background(), "up")
	if err != nil || len(hist) != 5 || hist[0].Version != 7 {
		t.Fatalf("history after restart (keep 5): %d entries, newest %+v, %v", len(hist), hist[0], err)
	}
	if _, err := h2.Rollback(context.Background(), "up", 4); err != nil { // 4 restored v2's module
		t.Fatal(err)
	}
	answerIs(t, h2, 2)
}

func TestKeepVersionsPrunesLogAndModules(t *testing.T) {
	h, _ := newTestHost(t, nil, withTestAdmin, func(c Config) Config { return c.WithKeepVersions(2) })
	ctx := context.Background()
	mods := [][]byte{fixture(t, "answer1"), fixture(t, "answer2"), fixture(t, "calc")}
	for _, m := range mods {
		if _, err := h.Upload(ctx, "up", m); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := h.History(ctx, "up")
	if err != nil || len(hist) != 2 || hist[0].Version != 3 || hist[1].Version != 2 {
		t.Fatalf("history %+v, %v", hist, err)
	}
	if _, err := h.Rollback(ctx, "up", 1); !errors.Is(err, ErrNoSuchVersion) || !strings.Contains(err.Error(), "2 to 3") {
		t.Errorf("rollback to a pruned version: %v", err)
	}
	kept, _ := filepath.Glob(filepath.Join(h.cfg.pluginDir, versionsDir, "modules", "*.wasm"))
	if len(kept) != 2 {
		t.Errorf("modules kept: %v, want v2's and v3's", kept)
	}
	if _, err := os.Stat(filepath.Join(h.cfg.pluginDir, versionsDir, "modules", sha(mods[0])+".wasm")); !os.IsNotExist(err) {
		t.Errorf("v1's module is still kept (%v)", err)
	}
	if _, err := h.Rollback(ctx, "up", 0); err != nil {
		t.Fatal(err)
	}
	answerIs(t, h, 2)
}

func TestKeepVersionsIsValidated(t *testing.T) {
	for _, n := range []int{0, -1, 1001} {
		_, err := New(context.Background(), NewConfig().WithPluginDir(t.TempDir()).WithKeepVersions(n))
		if err == nil || !strings.Contains(err.Error(), "deploy.keep_versions") {
			t.Errorf("keep_versions %d: %v", n, err)
		}
	}
	_, err := New(context.Background(), NewConfig().WithPluginDir(t.TempDir()).WithDeployDSN("postgres://%zz"))
	if err == nil || !strings.Contains(err.Error(), "deploy.dsn") || strings.Contains(err.Error(), "%zz") {
		t.Errorf("bad deploy.dsn: %v", err)
	}
}

func TestHistoryAndRollbackOverTheNetwork(t *testing.T) {
	h, _ := newTestHost(t, nil, withTestAdmin)
	for _, m := range []string{"answer1", "answer2"} {
		if _, err := h.Upload(context.Background(), "up", fixture(t, m)); err != nil {
			t.Fatal(err)
		}
	}
	// The procedures need the token.
	if _, err := h.Call(adminCtx(""), "plugins.history", []any{"up"}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("history without the token: %v", err)
	}
	if _, err := h.Call(adminCtx("wrong"), "plugins.rollback", []any{"up"}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("rollback with a wrong token: %v", err)
	}
	answerIs(t, h, 2)
	v, err := h.Call(adminCtx(testToken), "plugins.history", []any{"up"})
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := v.([]any); len(list) != 2 {
		t.Fatalf("plugins.history = %v", v)
	}
	for _, bad := range [][]any{{}, {"up", int64(0)}, {"up", "1"}, {int64(1)}, {"up", int64(1), int64(2)}} {
		if _, err := h.Call(adminCtx(testToken), "plugins.rollback", bad); FaultOf(err) == nil || FaultOf(err).Code != -32602 {
			t.Errorf("plugins.rollback%v: %v, want -32602", bad, err)
		}
	}
	if _, err := h.Call(adminCtx(testToken), "plugins.rollback", []any{"up", int64(1)}); err != nil {
		t.Fatal(err)
	}
	answerIs(t, h, 1)

	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	do := func(method, path, token string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	resp := do("GET", "/plugins/up/history", testToken)
	var hist []deploymentJSON
	if err := json.NewDecoder(resp.Body).Decode(&hist); err != nil || resp.StatusCode != 200 || len(hist) != 3 || hist[0].Action != "rollback" {
		t.Fatalf("GET history: %d %+v %v", resp.StatusCode, hist, err)
	}
	for _, c := range []struct {
		method, path, token string
		status              int
	}{
		{"GET", "/plugins/up/history", "", http.StatusUnauthorized},
		{"POST", "/plugins/up/history", testToken, http.StatusMethodNotAllowed},
		{"GET", "/plugins/up/rollback", testToken, http.StatusMethodNotAllowed},
		{"POST", "/plugins/up/rollback?version=99", testToken, http.StatusConflict},
		{"POST", "/plugins/up/rollback?version=x", testToken, http.StatusBadRequest},
		{"POST", "/plugins/nothing/rollback", testToken, http.StatusNotFound},
		{"POST", "/plugins/..%2Fup/rollback", testToken, http.StatusBadRequest},
		{"POST", "/plugins/up/rollback?version=2", testToken, http.StatusOK},
	} {
		if resp := do(c.method, c.path, c.token); resp.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
	}
	answerIs(t, h, 2)
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestAuditQueueIsBounded starts a replica whose deploy database does not
// exist: it starts anyway, says so, refuses changes it cannot record, and
// a flood of refused attempts neither waits on the database nor grows the
// audit queue past auditQueue.
func TestAuditQueueIsBounded(t *testing.T) {
	dsn := "host=" + t.TempDir() + " port=5432 user=nobody dbname=nothing sslmode=disable connect_timeout=1"
	h, logs := newTestHost(t, map[string][]byte{"up.wasm": fixture(t, "answer1")}, withTestAdmin,
		func(c Config) Config { return c.WithDeployDSN(dsn) })
	answerIs(t, h, 1)
	if note := h.deployNote(); !strings.Contains(note, "deploy database unreachable") {
		t.Errorf("deployNote = %q", note)
	}
	if !strings.Contains(logs.String(), "deploy database unreachable; serving") {
		t.Errorf("the start does not log the outage:\n%s", logs)
	}
	if _, err := h.Upload(context.Background(), "up", fixture(t, "answer2")); !errors.Is(err, ErrDeployUnavailable) {
		t.Errorf("upload without the database: %v", err)
	}
	answerIs(t, h, 1)
	start := time.Now()
	n := 3 * auditQueue
	for i := 0; i < n; i++ {
		_, _ = h.Call(adminCtx("wrong"), "plugins.rollback", []any{"up"})
	}
	took := time.Since(start)
	if q := len(h.deploy.audits); q > auditQueue {
		t.Errorf("audit queue holds %d", q)
	}
	var dropped float64
	for _, line := range strings.Split(metricsText(t, h), "\n") {
		if v, ok := strings.CutPrefix(line, "rpchost_deploy_audit_dropped_total "); ok {
			dropped, _ = strconv.ParseFloat(v, 64)
		}
	}
	if dropped < float64(n-auditQueue-100) { // the writer drains some meanwhile, and counts them as dropped too when they fail
		t.Errorf("dropped %v of %d refused attempts, want most past the queue's %d", dropped, n, auditQueue)
	}
	t.Logf("%d refused attempts in %v with the database away; %v audit entries dropped", n, took.Round(time.Millisecond), dropped)
	closeStart := time.Now()
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(closeStart); d > 15*time.Second {
		t.Errorf("Close took %v with the database away", d)
	}
}

// rollbackTarget compares with the module served, which a file copied by
// hand may have made differ from the log's current entry, and refuses to
// record again the module served now.
func TestRollbackTargetComparesWithTheServedModule(t *testing.T) {
	hist := []deploy.Entry{ // newest first
		{Name: "up", Version: 3, Action: deploy.ActionUpload, SHA256: "c"},
		{Name: "up", Version: 2, Action: deploy.ActionUpload, SHA256: "b"},
		{Name: "up", Version: 1, Action: deploy.ActionUpload, SHA256: "a"},
	}
	for _, tc := range []struct {
		version int64
		served  string
		want    int64 // 0: refused
	}{
		{0, "c", 2}, // the usual case: the previous version
		{0, "b", 1}, // b copied by hand over c: rolling back to b would change nothing
		{0, "", 2},  // not loaded here: compared with the log
		{2, "b", 0}, // version 2 is the module served now
		{3, "c", 0}, // the current one
		{3, "a", 3}, // c, the log's current, restored over a hand-copied a
		{1, "c", 1},
	} {
		e, err := rollbackTarget(hist, tc.version, tc.served)
		switch {
		case tc.want == 0 && !errors.Is(err, ErrNoSuchVersion):
			t.Errorf("version %d, served %q: %v, %v; want ErrNoSuchVersion", tc.version, tc.served, e.Version, err)
		case tc.want != 0 && (err != nil || e.Version != tc.want):
			t.Errorf("version %d, served %q: %v, %v; want version %d", tc.version, tc.served, e.Version, err, tc.want)
		}
	}
}
