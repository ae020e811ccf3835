// Package conformance_test is the guest conformance suite: it loads each
// language's conformance plugin (conformance/<language>.wasm, built from
// conformance/guests/<language>) into a host and checks that it answers
// exactly what conformance/README.md specifies, so that a procedure
// behaves the same whatever language it was written in.
//
// RPCHOST_CONFORMANCE_MODULE=/path/to/plugin.wasm runs the suite on that
// module instead (several, separated by the system's path list separator),
// for an SDK written outside this repository.
package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
)

// moduleEnv names modules to check instead of this repository's.
const moduleEnv = "RPCHOST_CONFORMANCE_MODULE"

// pluginName is the name every module is loaded under.
const pluginName = "conf"

// A module is one conformance plugin to check.
type module struct {
	lang string // the subtest's name
	path string
	show string // path as messages show it
}

// modules lists the modules to check: those named by moduleEnv, or one per
// directory of guests/, whose module must have been built.
func modules(t *testing.T) []module {
	t.Helper()
	if env := os.Getenv(moduleEnv); env != "" {
		var out []module
		for _, p := range filepath.SplitList(env) {
			if p == "" {
				continue
			}
			abs, err := filepath.Abs(p)
			if err != nil {
				t.Fatalf("%s: %v", moduleEnv, err)
			}
			out = append(out, module{lang: strings.TrimSuffix(filepath.Base(p), ".wasm"), path: abs, show: p})
		}
		return out
	}
	var out []module
	for _, lang := range languages(t) {
		out = append(out, module{lang: lang, path: lang + ".wasm", show: "conformance/" + lang + ".wasm"})
	}
	return out
}

// languages lists the directories of guests/: the languages whose
// conformance guest is in this repository.
func languages(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("guests")
	if err != nil {
		t.Fatalf("list the conformance guests: %v", err)
	}
	var langs []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !strings.HasPrefix(e.Name(), "_") {
			langs = append(langs, e.Name())
		}
	}
	return langs
}

// The languages whose conformance guest this repository must have. The lead
// adds "c", "rust" and "assemblyscript" when their SDKs' branches are merged.
func TestRequiredLanguagesArePresent(t *testing.T) {
	required := []string{"go", "c", "rust", "assemblyscript"}
	present := languages(t)
	for _, lang := range required {
		if !slices.Contains(present, lang) {
			t.Errorf("no conformance guest for %s: want a directory conformance/guests/%s (present: %s)",
				lang, lang, strings.Join(present, ", "))
		}
	}
}

// target is one module loaded into a host of its own.
type target struct {
	lang   string
	host   *host.Host
	client client
	logs   *logBuffer
	// stuck is the first call that ran out of time: the calls after it
	// fail at once rather than each wait for the time limit.
	stuck atomic.Pointer[string]
}

// call calls conf.<method>.
func (tg *target) call(method string, params ...any) (any, error) {
	if stuck := tg.stuck.Load(); stuck != nil {
		return nil, fmt.Errorf("not called: %s ran out of time earlier", *stuck)
	}
	v, err := tg.client.call(pluginName+"."+method, params...)
	if f := (*fault)(nil); errors.As(err, &f) && f.Code == host.CodeTimeout {
		tg.stuck.CompareAndSwap(nil, &method)
	}
	return v, err
}

func TestConformance(t *testing.T) {
	manifests := map[string][]methodSpec{}
	var order []string
	for _, m := range modules(t) {
		t.Run(m.lang, func(t *testing.T) {
			tg := load(t, m)
			if tg == nil {
				return
			}
			t.Run("manifest", func(t *testing.T) {
				got := checkManifest(t, tg)
				manifests[m.lang] = got
				order = append(order, m.lang)
			})
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) { c.run(t, tg) })
			}
		})
	}
	t.Run("manifests_agree", func(t *testing.T) {
		if len(order) < 2 {
			t.Logf("one language (%s): nothing to compare", strings.Join(order, ""))
			return
		}
		first := order[0]
		for _, lang := range order[1:] {
			if d := diffManifests(manifests[first], manifests[lang]); d != "" {
				t.Errorf("%s and %s describe their methods differently: %s", first, lang, d)
			}
		}
	})
}

// pluginConfig is plugin.conf.config: greeting as the contract names it,
// and a value of each other type the configuration can hold.
var pluginConfig = map[string]any{
	"greeting": "hello",
	"number":   42,
	"ratio":    0.25,
	"enabled":  true,
	"tags":     []any{"a", "b"},
	"limits":   map[string]any{"name": "x", "max": 10},
}

// load starts a host serving m as plugin "conf" with every grant, a store
// and the configuration the contract names. It fails t and returns nil
// when the module is missing or the host refuses it.
func load(t *testing.T, m module) *target {
	t.Helper()
	wasm, err := os.ReadFile(m.path)
	if errors.Is(err, fs.ErrNotExist) && os.Getenv(moduleEnv) != "" {
		t.Errorf("%s (from %s) does not exist", m.show, moduleEnv)
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s is missing: build it with `go run ./examples/build` (it builds conformance/guests/%s)", m.show, m.lang)
		return nil
	}
	if err != nil {
		t.Errorf("read the module: %v", err)
		return nil
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, pluginName+".wasm"), wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	cfg := host.NewConfig().
		WithPluginDir(dir).
		WithWatch(false, 0, 0).
		WithStore(host.StoreConfig{Driver: "bbolt", Target: t.TempDir()}).
		WithPluginGrants(pluginName, []string{"log", "kv", "config", "time"}).
		WithPluginConfig(pluginName, pluginConfig).
		// The nesting the ABI carries, for the array nested 100 deep.
		WithMaxDepth(abi.MaxDepth).
		// Generous: the machine running the suite may be busy, and no
		// check is about speed.
		WithCallTimeout(10 * time.Second).
		WithLoadTimeout(time.Minute).
		WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h, err := host.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("host.New: %v", err)
	}
	t.Cleanup(func() {
		if err := h.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	var loaded *host.PluginInfo
	for _, p := range h.Plugins() {
		if p.Name == pluginName {
			loaded = &p
		}
	}
	switch {
	case loaded == nil:
		t.Errorf("the host refused %s; its log says:\n%s", m.show, logs.String())
		return nil
	case loaded.Kind != "sdk":
		t.Errorf("%s loaded as a %s module: it does not export rpchost_abi_version", m.show, loaded.Kind)
		return nil
	}
	return &target{lang: m.lang, host: h, client: client{h: h.Handler()}, logs: logs}
}

// logBuffer collects the host's log lines (JSON, one per line) for the
// log check and for messages.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// diffManifests describes the first difference between two manifests.
func diffManifests(a, b []methodSpec) string {
	names := func(ms []methodSpec) []string {
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = m.name
		}
		return out
	}
	if !slices.Equal(names(a), names(b)) {
		return fmt.Sprintf("methods %q and %q", names(a), names(b))
	}
	for i := range a {
		if a[i].help != b[i].help {
			return fmt.Sprintf("%s's help %q and %q", a[i].name, a[i].help, b[i].help)
		}
		if !slices.EqualFunc(a[i].signatures, b[i].signatures, slices.Equal) {
			return fmt.Sprintf("%s's signatures %s and %s", a[i].name, showSigs(a[i].signatures), showSigs(b[i].signatures))
		}
	}
	return ""
}

// showSigs renders signatures for a message; nil is "none".
func showSigs(sigs [][]string) string {
	if sigs == nil {
		return "none"
	}
	return fmt.Sprintf("%q", sigs)
}
