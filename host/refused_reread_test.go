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
	t.Logf("junk.wasm was compiled %d times while its mtime was recent, then left alone", settled)
}

// outcomes counts, for one plugin, its "compiling" lines and the outcome
// lines that must follow them (loaded, reloaded, skipped, rejected, dropped).
func outcomes(logs, plugin string) (compiling, outcome int) {
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, " plugin="+plugin+" ") && !strings.HasSuffix(line, " plugin="+plugin) {
			continue
		}
		switch {
		case strings.Contains(line, "msg=compiling "):
			compiling++
		case strings.Contains(line, `msg="plugin loaded"`), strings.Contains(line, `msg="plugin reloaded"`),
			strings.Contains(line, `msg="plugin skipped"`), strings.Contains(line, `msg="plugin rejected;`),
			strings.Contains(line, `msg="plugin load dropped"`):
			outcome++
		}
	}
	return compiling, outcome
}

// A refused file read again while its mtime is recent is hashed, not
// compiled: the same bytes are refused again without a "compiling" line, so
// one version is compiled and logged once, and every "compiling" line has
// its outcome. It used to be compiled at each rescan of the racy window
// (four "compiling" lines, one "plugin skipped"), and a module whose start
// function loops ran until load_timeout each time.
func TestARefusedFileIsCompiledAndLoggedOnce(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")}, withLoadTimeout,
		func(c Config) Config { return c.WithWatch(true, 20*time.Millisecond, 100*time.Millisecond) })
	for name, b := range map[string][]byte{"junk.wasm": []byte("\x00asm garbage"), "startloop.wasm": fixture(t, "loop_start")} {
		if err := os.WriteFile(filepath.Join(h.cfg.pluginDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(racyWindow + time.Second)
	for _, name := range []string{"junk", "startloop"} {
		compiling, outcome := outcomes(logs.String(), name)
		skipped := strings.Count(logs.String(), `msg="plugin skipped" plugin=`+name+" ")
		t.Logf("%s: %d compiling lines, %d outcome lines", name, compiling, outcome)
		if compiling != 1 || outcome != 1 || skipped != 1 {
			t.Errorf("%s: %d compiling, %d outcome, %d skipped lines; want 1 of each:\n%s", name, compiling, outcome, skipped, logs)
		}
	}
	if r := h.Refused(); len(r) != 2 {
		t.Errorf("GET /plugins would list %v; want junk and startloop", r)
	}
}

// New bytes that keep the refused version's size and mtime (rewritten
// within the file system's clock tick) are a new version: compiled and
// logged, not taken for the one refused.
func TestARefusedFileRewrittenWithTheSameStatIsLookedAtAgain(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")},
		func(c Config) Config { return c.WithWatch(true, 20*time.Millisecond, 100*time.Millisecond) })
	path := filepath.Join(h.cfg.pluginDir, "junk.wasm")
	if err := os.WriteFile(path, []byte("\x00asm garbage 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	skipped := func() int { return strings.Count(logs.String(), `msg="plugin skipped" plugin=junk `) }
	deadline := time.Now().Add(5 * time.Second)
	for skipped() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("\x00asm garbage 2"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	compiling, outcome := outcomes(logs.String(), "junk")
	if skipped() != 2 || compiling != 2 || outcome != 2 {
		t.Errorf("%d skipped, %d compiling, %d outcome lines; want 2 of each:\n%s", skipped(), compiling, outcome, logs)
	}
}
