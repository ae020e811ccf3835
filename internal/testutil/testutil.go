// Package testutil holds what several packages' tests need.
package testutil

import (
	"bytes"
	"os"
	"os/exec"
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
