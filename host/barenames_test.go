package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/internal/testutil"
)

// bareNameHost starts a host over pluginDir with a bbolt store in dataDir,
// so bare-name owners are remembered across hosts started on the same dirs.
func bareNameHost(t *testing.T, pluginDir, dataDir string, adjust ...func(Config) Config) (*Host, func() string) {
	t.Helper()
	adjust = append([]func(Config) Config{withTestAdmin, func(c Config) Config {
		return c.WithPluginDir(pluginDir).WithWatch(false, 0, 0).WithStore(StoreConfig{Driver: "bbolt", Target: dataDir})
	}}, adjust...)
	h, logs := newTestHost(t, nil, adjust...)
	return h, logs.String
}

func callAnswer(t *testing.T, h *Host) int64 {
	t.Helper()
	v, err := h.Call(context.Background(), "answer", nil)
	if err != nil {
		t.Fatalf("answer(): %v", err)
	}
	return v.(int64)
}

func TestABareNameKeepsItsOwnerAcrossUploadsRemovalsAndRestarts(t *testing.T) {
	plugins, data := pluginDir(t, map[string][]byte{"m.wasm": fixture(t, "answer1")}), t.TempDir()
	h, logs := bareNameHost(t, plugins, data)
	if got := callAnswer(t, h); got != 1 {
		t.Fatalf("answer() = %d, want 1 from m", got)
	}
	// "a" sorts before "m": under the old rule it took answer at once.
	info, err := h.Upload(context.Background(), "a", fixture(t, "answer2"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Conflict{{Name: "answer", ServedBy: "m.answer"}, {Name: "slow", ServedBy: "m.slow"}}; !reflect.DeepEqual(info.Conflicts, want) {
		t.Errorf("upload conflicts %+v, want %+v", info.Conflicts, want)
	}
	if got := callAnswer(t, h); got != 1 {
		t.Errorf("after uploading a, answer() = %d, want 1 from m", got)
	}
	if n := strings.Count(logs(), `msg="bare name kept by its owner" name=answer owner=m.answer plugin=a`); n != 1 {
		t.Errorf("the conflict is logged %d times, want once:\n%s", n, logs())
	}
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	h, logs = bareNameHost(t, plugins, data)
	if got := callAnswer(t, h); got != 1 {
		t.Errorf("after a restart, answer() = %d, want 1 from m as remembered", got)
	}
	if !strings.Contains(logs(), `name=answer owner=m.answer plugin=a`) {
		t.Errorf("the restart does not log the conflict:\n%s", logs())
	}
	if err := h.Remove(context.Background(), "m"); err != nil {
		t.Fatal(err)
	}
	if got := callAnswer(t, h); got != 2 {
		t.Errorf("after removing m, answer() = %d, want 2 from a", got)
	}
	if !strings.Contains(logs(), `msg="bare name changed owner" name=answer from=m.answer to=a.answer`) {
		t.Errorf("the move is not logged:\n%s", logs())
	}
	// m comes back: a keeps the name now, and after one more restart too.
	if _, err := h.Upload(context.Background(), "m", fixture(t, "answer1")); err != nil {
		t.Fatal(err)
	}
	if got := callAnswer(t, h); got != 2 {
		t.Errorf("after m came back, answer() = %d, want 2 from a", got)
	}
	_ = h.Close(context.Background())
	h, _ = bareNameHost(t, plugins, data)
	if got := callAnswer(t, h); got != 2 {
		t.Errorf("after the second restart, answer() = %d, want 2 from a", got)
	}
}

func TestAFreshStartGivesBareNamesAlphabetically(t *testing.T) {
	plugins := pluginDir(t, map[string][]byte{"m.wasm": fixture(t, "answer1"), "a.wasm": fixture(t, "answer2")})
	data := t.TempDir()
	h, _ := bareNameHost(t, plugins, data)
	if got := callAnswer(t, h); got != 2 {
		t.Errorf("answer() = %d, want 2 from a, the alphabetically first", got)
	}
	b, err := os.ReadFile(filepath.Join(data, bareNamesFile))
	if err != nil || !strings.Contains(string(b), `"answer": "a"`) {
		t.Errorf("%s holds %s (%v), want answer owned by a", bareNamesFile, b, err)
	}
}

func TestAnUnreadableBareNamesFileStopsTheStart(t *testing.T) {
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, bareNamesFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := NewConfig().WithPluginDir(pluginDir(t, nil)).WithWatch(false, 0, 0).WithStore(StoreConfig{Driver: "bbolt", Target: data})
	h, err := New(context.Background(), cfg)
	if err == nil {
		_ = h.Close(context.Background())
		t.Fatal("New accepted a corrupt bare-names file")
	}
	if !strings.Contains(err.Error(), bareNamesFile) || !strings.Contains(err.Error(), "delete the file") {
		t.Errorf("error %q does not name the file and the way out", err)
	}
}

func TestWithoutAStoreBareNamesHoldForTheProcessAndSaySo(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"m.wasm": fixture(t, "answer1")})
	if _, err := h.Upload(context.Background(), "a", fixture(t, "answer2")); err != nil {
		t.Fatal(err)
	}
	if got := callAnswer(t, h); got != 1 {
		t.Errorf("answer() = %d, want 1 from m", got)
	}
	if !strings.Contains(logs.String(), "bare-name owners are kept for this process only") {
		t.Errorf("the log does not say owners are not remembered:\n%s", logs)
	}
	if got := dirNames(t, h.cfg.pluginDir); !reflect.DeepEqual(got, []string{"a.wasm", "m.wasm"}) {
		t.Errorf("plugin directory holds %v", got)
	}
}

func TestAnAliasToNothingStopsTheStart(t *testing.T) {
	files := map[string][]byte{"calc.wasm": fixture(t, "calc"), "broken.wasm": []byte("\x00asm garbage")}
	cases := []struct{ alias, want string }{
		{"calc.nope", `aliases: add=calc.nope: alias target not served: plugin "calc" has no method "nope" (it has add, add32`},
		{"broken.add", `aliases: add=broken.add: alias target not served: plugin "broken" was refused: `},
		{"gone.add", `aliases: add=gone.add: alias target not served: no plugin "gone" in `},
		{"add", `aliases: add=add: alias target not served: the target must be a qualified name`},
	}
	for _, tc := range cases {
		cfg := NewConfig().WithPluginDir(pluginDir(t, files)).WithWatch(false, 0, 0).WithAliases(map[string]string{"add": tc.alias})
		h, err := New(context.Background(), cfg)
		if err == nil {
			_ = h.Close(context.Background())
			t.Errorf("alias add=%s: New accepted it", tc.alias)
			continue
		}
		if !errors.Is(err, ErrAlias) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("alias add=%s: %v\nwant ErrAlias saying %q", tc.alias, err, tc.want)
		}
	}
}

func TestRefusedFilesAreListedWithTheirReason(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc"), "junk.wasm": []byte("not wasm"), "my-plugin.wasm": fixture(t, "calc")}, withTestAdmin)
	refused := h.Refused()
	if len(refused) != 2 || refused[0].Name != "junk" || refused[1].Name != "my-plugin" {
		t.Fatalf("Refused() = %+v, want junk and my-plugin", refused)
	}
	if !strings.Contains(refused[1].Reason, `has '-'`) || refused[0].Reason == "" || refused[0].Size != 8 {
		t.Errorf("refusals %+v lack their reason or size", refused)
	}
	v, err := h.Call(adminCtx(""), "plugins.list", nil)
	if err != nil {
		t.Fatal(err)
	}
	list := v.([]any)
	if len(list) != 3 {
		t.Fatalf("plugins.list has %d entries, want calc and 2 refused: %v", len(list), list)
	}
	last := fmt.Sprint(list[2])
	if !strings.Contains(last, "refused") || !strings.Contains(last, "my-plugin") {
		t.Errorf("plugins.list's last entry %s is not the refused my-plugin", last)
	}
	rec := httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/plugins", nil))
	var listed []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &listed); err != nil || len(listed) != 3 {
		t.Fatalf("GET /plugins: %v, %s", err, rec.Body)
	}
	if listed[0]["name"] != "calc" || listed[0]["conflicts"] == nil || listed[2]["kind"] != "refused" ||
		listed[2]["file"] != "my-plugin.wasm" || !strings.Contains(fmt.Sprint(listed[2]["error"]), "has '-'") {
		t.Errorf("GET /plugins lists %v", listed)
	}
	// Fixed (here: removed), a file is no longer listed.
	if refused[0].File != "junk.wasm" {
		t.Errorf("refused file %q, want junk.wasm", refused[0].File)
	}
	if err := os.Remove(filepath.Join(h.cfg.pluginDir, refused[0].File)); err != nil {
		t.Fatal(err)
	}
	if got := h.Refused(); len(got) != 1 {
		t.Errorf("after junk.wasm was removed, Refused() = %+v", got)
	}
}

// cancelOn is a log handler that cancels a context when a message is logged.
type cancelOn struct {
	slog.Handler
	msg    string
	cancel context.CancelFunc
}

func (c cancelOn) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == c.msg {
		c.cancel()
	}
	return c.Handler.Handle(ctx, r)
}

func TestAnInterruptedStartRecordsNoOwners(t *testing.T) {
	data := t.TempDir()
	memory := []byte(`{"owners": {"answer": "m"}}`)
	if err := os.WriteFile(filepath.Join(data, bareNamesFile), memory, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &testutil.SyncBuffer{}
	// Interrupted as it starts compiling: m is skipped, as with Ctrl-C.
	logger := slog.New(cancelOn{Handler: slog.NewTextHandler(logs, nil), msg: "compiling", cancel: cancel})
	cfg := NewConfig().WithPluginDir(pluginDir(t, map[string][]byte{"m.wasm": fixture(t, "answer1")})).
		WithWatch(false, 0, 0).WithStore(StoreConfig{Driver: "bbolt", Target: data}).WithLogger(logger)
	h, err := New(ctx, cfg)
	if err == nil {
		_ = h.Close(context.Background())
	}
	if !strings.Contains(logs.String(), "start-up interrupted") {
		t.Fatalf("the start was not interrupted as the test meant (New: %v):\n%s", err, logs)
	}
	if b, err := os.ReadFile(filepath.Join(data, bareNamesFile)); err != nil || string(b) != string(memory) {
		t.Errorf("an interrupted start rewrote %s: %s (%v)", bareNamesFile, b, err)
	}
}
