package c_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/testutil"
)

// sdkObjects holds the SDK compiled once for every buildC of the test
// binary (seven modules otherwise compile it seven times).
var sdkObjects struct {
	once sync.Once
	dir  string
	objs []string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sdkObjects.dir != "" {
		os.RemoveAll(sdkObjects.dir)
	}
	os.Exit(code)
}

// cflags are README's flags; the link adds -Wl,--strip-debug,--stack-first.
var cflags = []string{"--target=wasm32-wasi", "-O2", "-mexec-model=reactor", "-Iinclude"}

// buildC compiles src with the SDK as README says, or skips without clang
// (fails under CI=true, where .ci/run installs it).
func buildC(t *testing.T, src, out string) {
	t.Helper()
	clang, err := exec.LookPath("clang")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("clang not found (CI=true: not skipping): apt-get install clang lld wasi-libc libclang-rt-dev-wasm32")
		}
		t.Skip("skipping: clang not found (apt-get install clang lld wasi-libc libclang-rt-dev-wasm32)")
	}
	sdkObjects.once.Do(func() {
		if sdkObjects.dir, sdkObjects.err = os.MkdirTemp("", "rpchost-c-sdk-"); sdkObjects.err != nil {
			return
		}
		srcs, _ := filepath.Glob("src/*.c")
		for _, c := range srcs {
			o := filepath.Join(sdkObjects.dir, strings.TrimSuffix(filepath.Base(c), ".c")+".o")
			if msg, err := exec.Command(clang, append(cflags, "-c", c, "-o", o)...).CombinedOutput(); err != nil {
				sdkObjects.err = fmt.Errorf("compile %s: %v\n%s", c, err, msg)
				return
			}
			sdkObjects.objs = append(sdkObjects.objs, o)
		}
	})
	if sdkObjects.err != nil {
		t.Fatal(sdkObjects.err)
	}
	file := filepath.Join(t.TempDir(), "guest.c")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(append(append([]string{}, cflags...), "-Wl,--strip-debug,--stack-first"), sdkObjects.objs...)
	cmd := exec.Command(clang, append(args, file, "-o", out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, msg)
	}
}

// TestRegistrationMistakes: a plugin that registers a bad name, an unknown
// type or a name twice is refused at load, and the host's log says why in
// the SDK's words.
func TestRegistrationMistakes(t *testing.T) {
	for _, tc := range []struct{ setup, want string }{
		{`rpchost_register("bad name", h, "", NULL);`, `rpchost_register(\"bad name\"): a method name is made of A-Z a-z 0-9 _ . : /`},
		{`rpchost_register("_private", h, "", NULL);`, `must not start with`},
		{`rpchost_register("f", h, "", "int integer", NULL);`, `\"integer\" is not an XML-RPC type name`},
		{`rpchost_register("f", h, "", "", NULL);`, `a signature is empty`},
		{`rpchost_register("f", h, "", NULL); rpchost_register("f", h, "", NULL);`, `registered twice`},
	} {
		dir := t.TempDir()
		buildC(t, `#include "rpchost.h"
static rpchost_value *h(rpchost_params *p) { (void)p; return rpchost_nil(); }
void rpchost_setup(void) { `+tc.setup+` }
`, filepath.Join(dir, "bad.wasm"))
		logs := &testutil.SyncBuffer{}
		h, err := host.New(context.Background(), host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0).
			WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Call(context.Background(), "bad.f", nil); err == nil {
			t.Errorf("%s: the plugin was served", tc.setup)
		}
		if err := h.Close(context.Background()); err != nil {
			t.Error(err)
		}
		if !strings.Contains(logs.String(), "plugin skipped") || !strings.Contains(logs.String(), tc.want) {
			t.Errorf("%s: the log does not say %s:\n%s", tc.setup, tc.want, logs.String())
		}
	}
}

// TestStackOverflowTraps: a handler that recurses past the 64 KiB C stack
// traps (the stack is first in memory, so it cannot run over the module's
// data), and the next call gets a fresh instance.
func TestStackOverflowTraps(t *testing.T) {
	dir := t.TempDir()
	buildC(t, `#include "rpchost.h"
static int rec(volatile char *prev, int n) {
    volatile char buf[512];
    buf[0] = prev ? prev[0] : 1;
    return n == 0 ? buf[0] : rec(buf, n - 1) + 1;
}
static rpchost_value *deep(rpchost_params *p) {
    int64_t n;
    if (!rpchost_param_int(p, 0, &n))
        return p->fault;
    return rpchost_int(rec(0, (int)n));
}
void rpchost_setup(void) { rpchost_register("deep", deep, "", NULL); }
`, filepath.Join(dir, "rec.wasm"))
	h, err := host.New(context.Background(), host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0).
		WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(context.Background())
	for _, n := range []int64{10, 100, 1000} {
		v, err := h.Call(context.Background(), "rec.deep", []any{n})
		switch {
		case n*512 < 48<<10 && (err != nil || v != n+1):
			t.Errorf("deep(%d) = %v, %v", n, v, err)
		case n*512 > 64<<10 && (err == nil || host.FaultOf(err).Code != host.CodeTrap):
			t.Errorf("deep(%d) = %v, %v; want a trap", n, v, err)
		}
	}
	if v, err := h.Call(context.Background(), "rec.deep", []any{int64(3)}); err != nil || v != int64(4) {
		t.Errorf("deep(3) after a trap = %v, %v", v, err)
	}
}

// TestFaultf: rpchost_faultf formats like printf; a fault message that is
// not valid UTF-8 reaches the client repaired rather than refused; a result
// XML-RPC cannot carry is a fault naming the method.
func TestFaultf(t *testing.T) {
	dir := t.TempDir()
	buildC(t, `#include "rpchost.h"
static rpchost_value *f(rpchost_params *p) { return rpchost_faultf(7, "%s got %d params, %.1f", p->method, (int)p->len, 1.5); }
static rpchost_value *bad(rpchost_params *p) { (void)p; return rpchost_fault(8, "caf\xE9!"); }
static rpchost_value *nan(rpchost_params *p) { (void)p; return rpchost_array_push(rpchost_array(), rpchost_double(__builtin_nan(""))); }
static rpchost_value *str(rpchost_params *p) { (void)p; return rpchost_string("\xFF"); }
static rpchost_value *null(rpchost_params *p) { (void)p; return NULL; }
void rpchost_setup(void) {
    rpchost_register("f", f, "", NULL); rpchost_register("bad", bad, "", NULL);
    rpchost_register("nan", nan, "", NULL); rpchost_register("str", str, "", NULL);
    rpchost_register("null", null, "", NULL);
}
`, filepath.Join(dir, "pf.wasm"))
	h, err := host.New(context.Background(), host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0).
		WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(context.Background())
	_, err = h.Call(context.Background(), "pf.f", []any{int64(1), int64(2)})
	if f := host.FaultOf(err); f == nil || f.Code != 7 || f.Message != "f got 2 params, 1.5" {
		t.Errorf("pf.f: %v", err)
	}
	_, err = h.Call(context.Background(), "pf.bad", nil)
	if f := host.FaultOf(err); f == nil || f.Code != 8 || f.Message != "caf\uFFFD!" {
		t.Errorf("pf.bad: %v", err)
	}
	for method, want := range map[string]string{
		"nan":  "nan: result: a double that is not finite",
		"str":  "str: result: a string that is not valid UTF-8",
		"null": "null returned NULL",
	} {
		_, err = h.Call(context.Background(), "pf."+method, nil)
		if f := host.FaultOf(err); f == nil || f.Code != -32603 || !strings.HasPrefix(f.Message, want) {
			t.Errorf("pf.%s: %v, want -32603 %s...", method, err, want)
		}
	}
}
