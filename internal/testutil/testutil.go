// Package testutil holds what several packages' tests need.
package testutil

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// RequireTool returns the path of a tool a test needs. Under CI=true a
// missing tool fails the test, so CI can never pass by skipping it.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI=true and is not installed (.ci/run installs it)", name)
	}
	t.Skipf("%s is not installed; under CI=true this is a failure", name)
	return ""
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers, for capturing logs.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Fixture returns testdata/<name>.wasm from a package's embedded fixtures.
func Fixture(t testing.TB, fixtures fs.FS, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(fixtures, "testdata/"+name+".wasm")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CheckWatFixtures builds every testdata/*.wat of the package under test
// with wat2wasm and fails for each whose testdata/*.wasm in fixtures (the
// package's embedded copies) is not the same bytes.
func CheckWatFixtures(t *testing.T, fixtures fs.FS) {
	t.Helper()
	wat2wasm := RequireTool(t, "wat2wasm")
	wats, _ := filepath.Glob("testdata/*.wat")
	if len(wats) == 0 {
		t.Fatal("no testdata/*.wat")
	}
	for _, wat := range wats {
		name := strings.TrimSuffix(filepath.Base(wat), ".wat")
		out := filepath.Join(t.TempDir(), name+".wasm")
		if b, err := exec.Command(wat2wasm, wat, "-o", out).CombinedOutput(); err != nil {
			t.Fatalf("wat2wasm %s: %v\n%s", wat, err, b)
		}
		built, _ := os.ReadFile(out)
		committed, err := fs.ReadFile(fixtures, "testdata/"+name+".wasm")
		if err != nil || !bytes.Equal(built, committed) {
			t.Errorf("testdata/%s.wasm is stale or missing: run wat2wasm %s -o testdata/%s.wasm", name, wat, name)
		}
	}
}
