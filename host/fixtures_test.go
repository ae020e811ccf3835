package host

import (
	"context"
	"embed"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/testutil"
)

// Each testdata/*.wasm is built from the .wat beside it with wat2wasm
// (the comment at the top of each .wat says so); TestFixturesMatchWat keeps
// them in step.
//
//go:embed testdata/*.wasm
var fixtures embed.FS

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	return testutil.Fixture(t, fixtures, name)
}

// pluginDir writes files (plugin file name → contents) into a new directory.
func pluginDir(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newTestHost starts a host over files with a short call timeout and returns
// it with its log.
func newTestHost(t testing.TB, files map[string][]byte, adjust ...func(Config) Config) (*Host, *testutil.SyncBuffer) {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	cfg := NewConfig().
		WithPluginDir(pluginDir(t, files)).
		WithCallTimeout(500 * time.Millisecond).
		WithPoolSize(2).
		WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	for _, f := range adjust {
		cfg = f(cfg)
	}
	h, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h, logs
}

func TestFixturesMatchWat(t *testing.T) { testutil.CheckWatFixtures(t, fixtures) }
