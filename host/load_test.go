package host

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// loadTimeout is short so that the tests are quick; the margins below are
// wide because the machines that run them are shared.
const loadTimeout = 300 * time.Millisecond

func withLoadTimeout(c Config) Config { return c.WithLoadTimeout(loadTimeout) }

// A module whose start function, _initialize or rpchost_describe loops at
// start-up is refused at load_timeout, and the other plugins load and serve.
func TestLoopingSetUpCodeIsRefusedAtStartUp(t *testing.T) {
	for _, tc := range []struct{ fixture, what string }{
		{"loop_start", "start function did not finish within 300ms (limits.load_timeout)"},
		{"loop_init", "_initialize did not finish within 300ms (limits.load_timeout)"},
		{"loop_describe", "reading the manifest (rpchost_describe) did not finish within 300ms (limits.load_timeout)"},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			start := time.Now()
			h, logs := newTestHost(t, map[string][]byte{"loop.wasm": fixture(t, tc.fixture), "calc.wasm": fixture(t, "calc")}, withLoadTimeout)
			took := time.Since(start)
			t.Logf("New returned after %v with load_timeout %v", took.Round(time.Millisecond), loadTimeout)
			if took > loadTimeout+5*time.Second {
				t.Errorf("New took %v", took)
			}
			if !strings.Contains(logs.String(), tc.what) {
				t.Errorf("the log does not say %q:\n%s", tc.what, logs)
			}
			if got, err := h.Call(context.Background(), "calc.add", []any{int64(3), int64(4)}); err != nil || got != int64(7) {
				t.Errorf("calc.add(3, 4) = %v, %v", got, err)
			}
			if _, err := h.Call(context.Background(), "loop.ok", nil); !errors.Is(err, ErrMethodNotFound) {
				t.Errorf("loop.ok: err = %v, want not found", err)
			}
		})
	}
}

// The start function still runs, before any call, in each instance.
func TestStartFunctionRunsBeforeCalls(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"s.wasm": fixture(t, "start_sets")})
	var wg sync.WaitGroup
	for range 8 { // more than the pool, so several instances run it
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := h.Call(context.Background(), "s.get", nil); err != nil || got != int64(42) {
				t.Errorf("s.get() = %v, %v; want 42", got, err)
			}
		}()
	}
	wg.Wait()
}

// A looping start function copied into a running server's directory does
// not hold up the reload of another plugin copied in after it, nor a
// removal, nor calls; it is refused at load_timeout, once.
func TestLoopingStartDoesNotBlockHotReload(t *testing.T) {
	const slowLoad = 3 * time.Second
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc"), "gone.wasm": fixture(t, "answer2")},
		fastWatch, func(c Config) Config { return c.WithLoadTimeout(slowLoad) })
	dir := h.cfg.pluginDir
	start := time.Now()
	writeReplace(t, filepath.Join(dir, "loop.wasm"), fixture(t, "loop_start"))
	time.Sleep(100 * time.Millisecond) // the loop's load is under way
	writeReplace(t, filepath.Join(dir, "answer.wasm"), fixture(t, "answer1"))
	if err := os.Remove(filepath.Join(dir, "gone.wasm")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "answer.answer is served", answers(h, "answer.answer", int64(1)))
	eventually(t, "gone.answer is removed", notFound(h, "gone.answer"))
	served := time.Since(start)
	refusedYet := strings.Contains(logs.String(), "start function did not finish")
	t.Logf("the other plugin was served and the removal done %v after the looping one was copied in (load_timeout %v)", served.Round(time.Millisecond), slowLoad)
	if refusedYet {
		t.Errorf("the looping module was refused before the other plugin was served: its load held the reload")
	}
	if got, err := h.Call(context.Background(), "calc.add", []any{int64(1), int64(2)}); err != nil || got != int64(3) {
		t.Errorf("calc.add during the load = %v, %v", got, err)
	}
	eventually(t, "the looping module is refused", func() bool {
		return strings.Contains(logs.String(), "start function did not finish within 3s (limits.load_timeout)")
	})
	t.Logf("refused %v after it was copied in", time.Since(start).Round(time.Millisecond))
	time.Sleep(500 * time.Millisecond) // rescans: logged once per version
	if n := strings.Count(logs.String(), "start function did not finish"); n != 1 {
		t.Errorf("the rejection was logged %d times, want once", n)
	}
}

// Uploading a looping module answers with a rejection at load_timeout;
// meanwhile other uploads and removals go through.
func TestLoopingStartUploadIsRefused(t *testing.T) {
	const slowLoad = 3 * time.Second
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc"), "gone.wasm": fixture(t, "answer2")},
		withTestAdmin, func(c Config) Config { return c.WithLoadTimeout(slowLoad) })
	ctx := adminCtx(testToken)
	start := time.Now()
	loopDone := make(chan error, 1)
	go func() {
		_, err := h.Upload(ctx, "loop", fixture(t, "loop_start"))
		loopDone <- err
	}()
	time.Sleep(100 * time.Millisecond) // the looping upload is running
	if _, err := h.Upload(ctx, "answer", fixture(t, "answer1")); err != nil {
		t.Fatalf("upload during the looping one: %v", err)
	}
	if err := h.Remove(ctx, "gone"); err != nil {
		t.Fatalf("removal during the looping upload: %v", err)
	}
	select {
	case err := <-loopDone:
		t.Errorf("the looping upload ended (%v) before the other upload and removal: they waited for it", err)
	default:
	}
	t.Logf("another upload and a removal done %v after the looping upload began", time.Since(start).Round(time.Millisecond))
	err := <-loopDone
	took := time.Since(start)
	t.Logf("the looping upload was refused after %v (load_timeout %v): %v", took.Round(time.Millisecond), slowLoad, err)
	if !errors.Is(err, ErrInvalidModule) || !strings.Contains(err.Error(), "start function did not finish within 3s (limits.load_timeout)") {
		t.Errorf("err = %v", err)
	}
	if took > slowLoad+10*time.Second {
		t.Errorf("the refusal took %v", took)
	}
	if _, err := os.Stat(filepath.Join(h.cfg.pluginDir, "loop.wasm")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused module was written: %v", err)
	}
	if got, err := h.Call(context.Background(), "answer.answer", nil); err != nil || got != int64(1) {
		t.Errorf("answer.answer = %v, %v", got, err)
	}
}

// The module of 4,000 functions declaring 50,000 locals each (73
// KB) took wazero +1.5 GB to compile; it is refused before, quickly, with
// the limit it broke, on upload and in the directory.
func TestCompileBombIsRefusedBeforeCompiling(t *testing.T) {
	bomb := localsBomb(4000, 50_000)
	h, logs := newTestHost(t, map[string][]byte{"bomb.wasm": bomb, "calc.wasm": fixture(t, "calc")}, withTestAdmin)
	if !strings.Contains(logs.String(), "locals in all functions, the limit is 1000000") {
		t.Errorf("the log does not say why bomb.wasm was skipped:\n%s", logs)
	}
	start := time.Now()
	_, err := h.Upload(adminCtx(testToken), "bomb2", bomb)
	took := time.Since(start)
	t.Logf("a %d KB module declaring 200,000,000 locals refused in %v: %v", len(bomb)>>10, took.Round(time.Microsecond), err)
	if !errors.Is(err, ErrInvalidModule) || !strings.Contains(err.Error(), "locals in all functions, the limit is 1000000") {
		t.Errorf("err = %v", err)
	}
	if took > 5*time.Second {
		t.Errorf("refusing took %v", took)
	}
}

// localsBomb is a module of funcs functions () -> () declaring locals
// i32 locals each.
func localsBomb(funcs, locals int) []byte {
	leb := func(b []byte, v int) []byte {
		for v >= 0x80 {
			b = append(b, byte(v)|0x80)
			v >>= 7
		}
		return append(b, byte(v))
	}
	section := func(m []byte, id byte, payload []byte) []byte {
		return append(leb(append(m, id), len(payload)), payload...)
	}
	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	m = section(m, 1, []byte{1, 0x60, 0, 0})
	fs := leb(nil, funcs)
	for range funcs {
		fs = append(fs, 0)
	}
	m = section(m, 3, fs)
	body := append(leb([]byte{1}, locals), 0x7f, 0x0b)
	cs := leb(nil, funcs)
	for range funcs {
		cs = append(leb(cs, len(body)), body...)
	}
	return section(m, 10, cs)
}

// Closing a host while a module loads waits for that load, bounded by
// load_timeout, and installs nothing after.
func TestCloseDuringALoad(t *testing.T) {
	dir := pluginDir(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	h, err := New(context.Background(), fastWatch(NewConfig().WithPluginDir(dir).WithLoadTimeout(time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	writeReplace(t, filepath.Join(dir, "loop.wasm"), fixture(t, "loop_start"))
	time.Sleep(300 * time.Millisecond) // its load is under way
	start := time.Now()
	if err := h.Close(context.Background()); err != nil {
		t.Errorf("Close: %v", err)
	}
	took := time.Since(start)
	t.Logf("Close returned after %v with a looping load under way (load_timeout 1s)", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("Close took %v", took)
	}
	if n := len(h.Plugins()); n != 0 {
		t.Errorf("%d plugins still listed after Close", n)
	}
}

// limits.load_timeout can be set per plugin, like the other limits.
func TestLoadTimeoutPerPlugin(t *testing.T) {
	start := time.Now()
	_, logs := newTestHost(t, map[string][]byte{"loop.wasm": fixture(t, "loop_start")}, func(c Config) Config {
		return c.WithPluginLimits("loop", Limits{LoadTimeout: 200 * time.Millisecond})
	})
	t.Logf("New returned after %v", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(logs.String(), "start function did not finish within 200ms (limits.load_timeout)") {
		t.Errorf("the log does not show the plugin's own load_timeout:\n%s", logs)
	}
	if _, err := New(context.Background(), NewConfig().WithLoadTimeout(-time.Second)); err == nil || !strings.Contains(err.Error(), "limits.load_timeout") {
		t.Errorf("a negative load_timeout: err = %v", err)
	}
}

// Uploads, removals and directory changes of one name racing each other
// and the watcher leave what is served matching the file once they stop.
func TestConcurrentChangesOfOneNameSettle(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")}, withTestAdmin, fastWatch)
	ctx := adminCtx(testToken)
	path := filepath.Join(h.cfg.pluginDir, "x.wasm")
	versions := [][]byte{fixture(t, "answer1"), fixture(t, "answer2")}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				switch (w + i) % 3 {
				case 0:
					_, _ = h.Upload(ctx, "x", versions[i%2])
				case 1:
					_ = h.Remove(ctx, "x")
				case 2:
					tmp := filepath.Join(h.cfg.pluginDir, ".tmp-"+strconv.Itoa(w))
					if os.WriteFile(tmp, versions[(i+1)%2], 0o644) == nil {
						_ = os.Rename(tmp, path)
					}
				}
			}
		}()
	}
	wg.Wait()
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		want := int64(1)
		if bytes.Equal(b, versions[1]) {
			want = 2
		}
		eventually(t, "x serves what its file holds", answers(h, "x.answer", want))
		time.Sleep(500 * time.Millisecond) // no stale load installs itself later
		if !answers(h, "x.answer", want)() {
			t.Errorf("x stopped serving what its file holds")
		}
	default:
		eventually(t, "x is not served without a file", notFound(h, "x.answer"))
		time.Sleep(500 * time.Millisecond)
		if !notFound(h, "x.answer")() {
			t.Errorf("x is served again without a file")
		}
	}
	if got, err := h.Call(context.Background(), "calc.add", []any{int64(1), int64(2)}); err != nil || got != int64(3) {
		t.Errorf("calc.add = %v, %v", got, err)
	}
}
