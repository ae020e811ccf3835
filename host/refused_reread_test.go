package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A file that was refused is read again only while its mtime is too recent
// to trust (racyWindow); after that, rescans leave it alone until it
// changes. It used to be read, compiled and refused again at every rescan,
// forever, when it was refused within the window.
func TestARefusedFileIsNotReadAgainAndAgain(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")},
		func(c Config) Config { return c.WithWatch(true, 20*time.Millisecond, 100*time.Millisecond) })
	if err := os.WriteFile(filepath.Join(h.cfg.pluginDir, "junk.wasm"), []byte("\x00asm garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	compiles := func() int { return strings.Count(logs.String(), "msg=compiling plugin=junk") }
	time.Sleep(racyWindow + time.Second)
	settled := compiles()
	time.Sleep(time.Second) // ten more rescans
	if got := compiles(); got != settled || settled == 0 {
		t.Fatalf("junk.wasm was compiled %d times in the racy window and %d times after it; want at least once, then never", settled, got-settled)
	}
	t.Logf("junk.wasm was read %d times while its mtime was recent, then left alone", settled)
}
