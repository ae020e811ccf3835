package rpchost_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/store"
)

// runRefused runs `rpchost serve` with RPCHOST_STORE_DIR=storeDir and
// expects it to stop by itself with exit status 2 (README), a message saying each
// of want, and no Go stack trace.
func runRefused(t *testing.T, storeDir string, want ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, rpchostBinary(t), "serve", "--listen", "127.0.0.1:0", "--plugins", t.TempDir())
	cmd.Env = append(os.Environ(), "RPCHOST_CACHE_DIR=off", "RPCHOST_STORE_DIR="+storeDir)
	began := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(began).Round(time.Millisecond)
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("rpchost still running after 60 s:\n%s", out)
	case !errors.As(err, &exit):
		t.Fatalf("rpchost: %v, want a non-zero exit:\n%s", err, out)
	case exit.ExitCode() != 2:
		t.Errorf("rpchost exited with %v, want exit status 2 (README: store-open failures)", exit)
	}
	text := string(out)
	for _, bad := range []string{"panic:", "goroutine ", "SIGSEGV"} {
		if strings.Contains(text, bad) {
			t.Errorf("output has %q:\n%s", bad, text)
		}
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("output does not say %q:\n%s", w, text)
		}
	}
	t.Logf("exit %d after %s: %s", exit.ExitCode(), took, strings.TrimSpace(text))
}

// writeStore makes a bbolt store holding a few namespaces of data, as a
// server would have left it, and returns the path of its file.
func writeStore(t *testing.T, dir string) string {
	t.Helper()
	s, err := store.Open(context.Background(), "bbolt", dir, store.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for ns := range 3 {
		var batch []store.Write
		for i := range 300 {
			batch = append(batch, store.Write{Key: fmt.Sprintf("rec/%05d", i), Value: []byte(strings.Repeat("x", 100))})
		}
		if err := s.Apply(context.Background(), fmt.Sprint("p", ns), batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "rpchost.db")
}

// TestStoreOpenFailures: each way the store cannot be opened is one clear
// message and a non-zero exit, never a panic (issue 12, break 7).
func TestStoreOpenFailures(t *testing.T) {
	damage := []string{"is damaged or not a bbolt file", "bbolt check", "backup", "move it away"}

	t.Run("directory is a file", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil {
			t.Fatal(err)
		}
		runRefused(t, dir, dir, "is a file, not a directory", "store.dir")
	})
	t.Run("database is a directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "rpchost.db"), 0o700); err != nil {
			t.Fatal(err)
		}
		runRefused(t, dir, filepath.Join(dir, "rpchost.db"))
	})
	t.Run("zeroed", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "rpchost.db"), make([]byte, 64<<10), 0o600); err != nil {
			t.Fatal(err)
		}
		runRefused(t, dir, append(damage, filepath.Join(dir, "rpchost.db"))...)
	})
	t.Run("random bytes", func(t *testing.T) {
		dir := t.TempDir()
		b := make([]byte, 64<<10)
		rng := rand.New(rand.NewPCG(7, 7))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if err := os.WriteFile(filepath.Join(dir, "rpchost.db"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		runRefused(t, dir, append(damage, filepath.Join(dir, "rpchost.db"))...)
	})
	t.Run("garbage in data pages", func(t *testing.T) {
		// Valid meta pages, garbage everywhere else: bolt alone panics
		// during open or at the first read.
		dir := t.TempDir()
		file := writeStore(t, dir)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 1))
		for i := 2 * 4096; i < len(b); i++ {
			b[i] = byte(rng.Uint32())
		}
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		runRefused(t, dir, append(damage, file)...)
	})
	t.Run("second server on the same directory", func(t *testing.T) {
		dir := t.TempDir()
		first := startServer(t, t.TempDir(), "RPCHOST_STORE_DIR="+dir)
		runRefused(t, dir, filepath.Join(dir, "rpchost.db"), "in use by another process", "another rpchost")
		// The first server is unharmed.
		if !strings.Contains(first.Logs(), "listening") {
			t.Errorf("first server log:\n%s", first.Logs())
		}
	})
}
