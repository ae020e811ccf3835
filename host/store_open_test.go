package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/internal/store"
)

// TestNewWithAStoreThatCannotOpen: host.New returns the store's error and
// closes what it had built, instead of crashing in Close on a store that
// was never opened (issue 12, break 7).
func TestNewWithAStoreThatCannotOpen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	damaged := t.TempDir()
	if err := os.WriteFile(filepath.Join(damaged, "rpchost.db"), make([]byte, 32<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, dir, want string
		is              error
	}{
		{"directory is a file", file, "is a file, not a directory", nil},
		{"zeroed file", damaged, "bbolt check", store.ErrDamaged},
	} {
		cfg := NewConfig().WithPluginDir(pluginDir(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})).
			WithStore(StoreConfig{Driver: "bbolt", Target: c.dir})
		h, err := New(context.Background(), cfg)
		if err == nil {
			h.Close(context.Background())
			t.Errorf("%s: New succeeded", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: %v, want it to say %q", c.name, err, c.want)
		}
	}
}

// TestStoreLimitsAreValidated: bounds too small for one pair are refused
// by New, in the configuration's terms.
func TestStoreLimitsAreValidated(t *testing.T) {
	cfg := NewConfig().WithPluginDir(t.TempDir()).
		WithStore(StoreConfig{Driver: "bbolt", Target: t.TempDir(), Limits: StoreLimits{MaxTxnBytes: 1000}})
	h, err := New(context.Background(), cfg)
	if err == nil {
		h.Close(context.Background())
		t.Fatal("New accepted store.max_txn_bytes 1000")
	}
	if !strings.Contains(err.Error(), "store.max_txn_bytes 1000") {
		t.Errorf("err = %v", err)
	}
}
