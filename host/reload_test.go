package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// eventually polls cond until it holds or a deadline passes: reloads are
// asynchronous. The deadline is generous because machines are shared; the
// README's "within a second" is measured by the end-to-end tests' logs.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func answers(h *Host, method string, want any) func() bool {
	return func() bool {
		got, err := h.Call(context.Background(), method, nil)
		return err == nil && got == want
	}
}

func notFound(h *Host, method string) func() bool {
	return func() bool {
		_, err := h.Call(context.Background(), method, nil)
		return errors.Is(err, ErrMethodNotFound)
	}
}

// writeReplace writes a file the way deployment tools do: a temporary file
// renamed over the target.
func writeReplace(t *testing.T, path string, b []byte) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func fastWatch(c Config) Config { return c.WithWatch(true, 20*time.Millisecond, 200*time.Millisecond) }

func TestHotReloadFollowsTheDirectory(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")}, fastWatch)
	dir := h.cfg.pluginDir
	file := filepath.Join(dir, "up.wasm")

	if err := os.WriteFile(file, fixture(t, "answer1"), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a new file is served", answers(h, "up.answer", int64(1)))

	if err := os.WriteFile(file, fixture(t, "answer2"), 0o644); err != nil { // overwritten in place
		t.Fatal(err)
	}
	eventually(t, "an overwritten file is served", answers(h, "up.answer", int64(2)))

	writeReplace(t, file, fixture(t, "answer1")) // atomic replace by rename
	eventually(t, "a replaced-by-rename file is served", answers(h, "up.answer", int64(1)))

	if err := os.WriteFile(file, []byte("\x00asm\x01\x00\x00\x00garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the corrupt version is rejected in the log", func() bool {
		return strings.Contains(logs.String(), "plugin rejected; the previous version keeps serving")
	})
	if got, err := h.Call(context.Background(), "up.answer", nil); err != nil || got != int64(1) {
		t.Fatalf("after a corrupt replacement up.answer = %v, %v; want the old version's 1", got, err)
	}

	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a deleted file stops being served", notFound(h, "up.answer"))

	if err := os.Rename(filepath.Join(dir, "calc.wasm"), filepath.Join(dir, "calc2.wasm")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a renamed file is served under its new name", answers(h, "calc2.nothing", nil))
	eventually(t, "a renamed file's old name goes away", notFound(h, "calc.nothing"))

	if err := os.WriteFile(file, fixture(t, "answer2"), 0o644); err != nil { // re-added
		t.Fatal(err)
	}
	eventually(t, "a re-added file is served", answers(h, "up.answer", int64(2)))
	for _, want := range []string{"plugin loaded", "plugin reloaded", "plugin removed", "version=", "sha256="} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestHotReloadSurvivesTheDirectoryBeingReplaced(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "plugins")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "up.wasm"), fixture(t, "answer1"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, _ := newTestHost(t, nil, fastWatch, func(c Config) Config { return c.WithPluginDir(dir) })
	eventually(t, "the first directory is served", answers(h, "up.answer", int64(1)))

	next := filepath.Join(parent, "plugins.next")
	if err := os.Mkdir(next, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(next, "up.wasm"), fixture(t, "answer2"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, filepath.Join(parent, "plugins.old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the replacing directory is served", answers(h, "up.answer", int64(2)))
	if err := os.WriteFile(filepath.Join(dir, "more.wasm"), fixture(t, "answer1"), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the replacing directory is watched", answers(h, "more.answer", int64(1)))
}

// Many HTTP clients call a procedure while its module is replaced 50 times:
// no call may fail, and nothing may leak.
func TestReplacingAModuleUnderLoadFailsNoCall(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"up.wasm": fixture(t, "answer1")}, fastWatch,
		func(c Config) Config { return c.WithCallTimeout(5 * time.Second).WithPoolSize(4) })
	file := filepath.Join(h.cfg.pluginDir, "up.wasm")
	baseline := runtime.NumGoroutine()
	srv := httptest.NewServer(h.Handler())
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	client := &http.Client{Transport: transport}
	body, err := xmlrpc.AppendRequest(nil, "up.slow", []any{int64(20000)})
	if err != nil {
		t.Fatal(err)
	}

	var calls, failures atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				v, err := postCall(client, srv.URL, body)
				calls.Add(1)
				if err != nil || (v != int64(1) && v != int64(2)) {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%v, %v", v, err))
				}
			}
		}()
	}
	versions := [][]byte{fixture(t, "answer1"), fixture(t, "answer2")}
	for i := 1; i <= 50; i++ {
		want := int64(i%2 + 1)
		writeReplace(t, file, versions[want-1])
		eventually(t, fmt.Sprintf("replacement %d is served", i), answers(h, "up.answer", want))
	}
	close(stop)
	wg.Wait()
	transport.CloseIdleConnections()
	srv.Close()
	if f := failures.Load(); f != 0 {
		t.Fatalf("%d of %d calls failed during 50 replacements; first: %v", f, calls.Load(), firstErr.Load())
	}
	t.Logf("%d calls over HTTP, none failed, during 50 replacements", calls.Load())
	if v := h.Plugins()[0].Version; v < 51 {
		t.Errorf("version counter %d after 50 replacements, want at least 51", v)
	}
	eventually(t, "goroutines return to their baseline", func() bool { return runtime.NumGoroutine() <= baseline+2 })
	serving := h.Plugins()[0].Instances
	if serving > 4 {
		t.Errorf("%d instances alive, the pool holds at most 4", serving)
	}
	if live := h.runtime.LiveInstances(); live != serving {
		t.Errorf("%d instances alive in the runtime, but only the %d of the serving version should be: old versions leaked", live, serving)
	}
}

// postCall sends one XML-RPC request; a transport error, a non-200 status
// and a fault are all errors.
func postCall(client *http.Client, url string, body []byte) (any, error) {
	resp, err := client.Post(url, "text/xml", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return xmlrpc.ParseResponse(b, xmlrpc.DefaultLimits())
}

// A module replaced by one of the same size whose modification time was
// set back to the old one's (cp -p, rsync -t, tar x, builds stamped with a
// fixed date) is still seen: its change time, or its inode, differs.
func TestHotReloadSeesAReplacementWithTheSameSizeAndTime(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")}, fastWatch)
	file := filepath.Join(h.cfg.pluginDir, "up.wasm")
	old := time.Now().Add(-time.Hour) // past the racy window: the stat alone decides
	one, two := fixture(t, "answer1"), fixture(t, "answer2")
	if len(one) != len(two) {
		t.Fatalf("fixtures of %d and %d bytes: the test needs two of one size", len(one), len(two))
	}
	if err := os.WriteFile(file, one, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first version is served", answers(h, "up.answer", int64(1)))
	time.Sleep(300 * time.Millisecond) // a poll or two with the stat unchanged

	if err := os.WriteFile(file, two, 0o644); err != nil { // in place
		t.Fatal(err)
	}
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a same-size rewrite with its time set back is served", answers(h, "up.answer", int64(2)))

	writeReplace(t, file, one) // by rename, time set back
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a same-size replacement by rename with its time set back is served", answers(h, "up.answer", int64(1)))
}
