package host

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

func faultCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want a fault")
	}
	return toFault(err).Code
}

func TestNewReportsEveryInvalidSetting(t *testing.T) {
	_, err := New(context.Background(), NewConfig().WithPoolSize(0).WithMaxDepth(0).WithPluginDir(""))
	if err == nil {
		t.Fatal("New accepted an invalid configuration")
	}
	for _, want := range []string{"pool.size: 0", "limits.max_depth: 0", "plugin directory is empty"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestNewFailsOnAMissingPluginDirectory(t *testing.T) {
	_, err := New(context.Background(), NewConfig().WithPluginDir("/nonexistent/rpchost"))
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/rpchost") {
		t.Fatalf("New = %v, want an error naming the directory", err)
	}
}

func TestNumericModuleIsServedFromItsExports(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	ctx := context.Background()
	cases := []struct {
		method string
		params []any
		want   any
	}{
		{"calc.add", []any{int64(40), int64(2)}, int64(42)},
		{"add", []any{int64(1), int64(2)}, int64(3)},
		{"calc.add32", []any{int64(-7), int64(2)}, int64(-5)},
		{"calc.div", []any{int64(1), int64(4)}, 0.25},
		{"calc.halve", []any{3.0}, 1.5},
		{"calc.swap", []any{int64(1), int64(1) << 40}, []any{int64(1) << 40, int64(1)}},
		{"calc.nothing", nil, nil},
	}
	for _, tc := range cases {
		got, err := h.Call(ctx, tc.method, tc.params)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s%v = %#v, %v; want %#v", tc.method, tc.params, got, err, tc.want)
		}
	}
	bad := []struct {
		method string
		params []any
	}{
		{"calc.add", []any{int64(1)}},
		{"calc.add", []any{int64(1), "2"}},
		{"calc.add32", []any{int64(1) << 31, int64(0)}},
		{"calc.add", []any{1.5, int64(0)}},
	}
	for _, tc := range bad {
		_, err := h.Call(ctx, tc.method, tc.params)
		if code := faultCode(t, err); code != abi.CodeInvalidParams {
			t.Errorf("%s%v: fault %d (%v), want %d", tc.method, tc.params, code, err, abi.CodeInvalidParams)
		}
	}
	for _, name := range []string{"calc._hidden", "calc.bad-name"} {
		if _, ok := h.registry.Lookup(name); ok {
			t.Errorf("%s is served; exports that are not valid method names must not be", name)
		}
	}
}

func TestSignaturesComeFromWasmTypes(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	got, err := h.Call(context.Background(), "system.methodSignature", []any{"calc.swap"})
	want := []any{[]any{"array", "int", "i8"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("methodSignature(calc.swap) = %#v, %v; want %#v", got, err, want)
	}
}

func TestATrapIsAFaultAndTheInstanceIsDiscarded(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	ctx := context.Background()
	_, err := h.Call(ctx, "calc.crash", nil)
	if code := faultCode(t, err); code != CodeTrap {
		t.Fatalf("calc.crash: fault %d (%v), want CodeTrap", code, err)
	}
	if msg := toFault(err).Message; !strings.Contains(msg, "unreachable") || strings.Contains(msg, "stack") {
		t.Errorf("trap message %q should name the trap and keep the wasm stack out", msg)
	}
	if !strings.Contains(logs.String(), "wasm stack trace") {
		t.Error("the log lacks the wasm stack of the trap")
	}
	if n := h.Plugins()[0].Instances; n != 0 {
		t.Errorf("%d instances alive after the only one trapped, want 0", n)
	}
	if got, err := h.Call(ctx, "calc.add", []any{int64(1), int64(1)}); err != nil || got != int64(2) {
		t.Errorf("calc.add after a trap = %v, %v", got, err)
	}
}

func TestASpinningCallIsStoppedAtItsTimeLimit(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	_, err := h.Call(context.Background(), "calc.spin", nil)
	if code := faultCode(t, err); code != CodeTimeout {
		t.Fatalf("calc.spin: fault %d (%v), want CodeTimeout", code, err)
	}
	if got, err := h.Call(context.Background(), "calc.add", []any{int64(2), int64(2)}); err != nil || got != int64(4) {
		t.Errorf("calc.add after a timeout = %v, %v", got, err)
	}
}

func TestModulesThatCannotWorkAreSkippedWithTheReason(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{
		"calc.wasm":        fixture(t, "calc"),
		"imports_env.wasm": fixture(t, "imports_env"),
		"bad_sdk.wasm":     fixture(t, "bad_sdk"),
		"future_abi.wasm":  fixture(t, "future_abi"),
		"garbage.wasm":     []byte("\x00asm but not really"),
		"system.wasm":      fixture(t, "calc"),
		"my-plugin.wasm":   fixture(t, "calc"),
		".hidden.wasm":     fixture(t, "calc"),
		"notes.txt":        []byte("not a plugin"),
	})
	if got := len(h.Plugins()); got != 1 {
		t.Errorf("%d plugins loaded, want only calc: %+v", got, h.Plugins())
	}
	for _, want := range []string{
		"imports env.launch_missiles",
		"export rpchost_call has type (i32) -> (i64)",
		"ABI version 99",
		"garbage.wasm",
		`plugin name \"system\" is reserved`,
		`plugin name \"my-plugin\" has '-'`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), ".hidden") {
		t.Error("a hidden file was considered")
	}
}

func TestConfiguredAliasPinsABareName(t *testing.T) {
	files := map[string][]byte{"a.wasm": fixture(t, "calc"), "b.wasm": fixture(t, "calc")}
	h, _ := newTestHost(t, files, func(c Config) Config { return c.WithAliases(map[string]string{"add": "b.add"}) })
	e, ok := h.registry.Lookup("add")
	if !ok || e.Target != "b.add" {
		t.Errorf("add → %+v, want b.add", e)
	}
	e, _ = h.registry.Lookup("div")
	if e.Target != "a.div" {
		t.Errorf("div → %s, want a.div (alphabetically first)", e.Target)
	}
}

func TestCloseIsSafeTwiceAndCallsAfterCloseFail(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := h.Call(context.Background(), "calc.add", []any{int64(1), int64(1)})
	if !errors.Is(err, ErrClosed) || FaultOf(err).Code != CodeUnavailable {
		t.Errorf("call after Close: %v, want ErrClosed (fault %d)", err, CodeUnavailable)
	}
}
