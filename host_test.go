package rpchost_test

import (
	"errors"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kolo/xmlrpc"
)

// End-to-end: the real binary over the real plugins/, called with
// github.com/kolo/xmlrpc as service A would.

func dial(t *testing.T, url string) *xmlrpc.Client {
	t.Helper()
	c, err := xmlrpc.NewClient(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func call(t *testing.T, c *xmlrpc.Client, method string, args ...any) any {
	t.Helper()
	var out any
	if err := c.Call(method, args, &out); err != nil {
		t.Fatalf("%s%v: %v", method, args, err)
	}
	return out
}

// faultOf reads the fault out of kolo/xmlrpc's error: Client.Call goes
// through net/rpc, which flattens a FaultError into its text,
// "Fault(-32602): message".
func faultOf(err error) (code int, msg string, ok bool) {
	var se rpc.ServerError
	if !errors.As(err, &se) {
		return 0, "", false
	}
	m := faultRE.FindStringSubmatch(string(se))
	if m == nil {
		return 0, "", false
	}
	code, _ = strconv.Atoi(m[1])
	return code, m[2], true
}

var faultRE = regexp.MustCompile(`(?s)^Fault\((-?\d+)\): (.*)$`)

func wantFault(t *testing.T, c *xmlrpc.Client, code int, method string, args ...any) string {
	t.Helper()
	var out any
	err := c.Call(method, args, &out)
	got, msg, ok := faultOf(err)
	if !ok {
		t.Fatalf("%s%v: got %v, %v; want fault %d", method, args, out, err, code)
	}
	if got != code {
		t.Fatalf("%s%v: fault %d %q, want code %d", method, args, got, msg, code)
	}
	return msg
}

func TestGoClientCallsShippedPlugins(t *testing.T) {
	s := startServer(t, "plugins")
	c := dial(t, s.URL)

	cases := []struct {
		method string
		args   []any
		want   any
	}{
		{"add", []any{3, 4}, int64(7)},
		{"add", []any{"hello", "world"}, "helloworld"},
		{"add", []any{1.5, 2}, 3.5},
		{"add", []any{[]any{1, "a"}, []any{true}}, []any{int64(1), "a", true}},
		{"add.add", []any{40, 2}, int64(42)},
		{"numeric.triple", []any{14}, int64(42)},
		{"numeric.add", []any{-5, 3}, int64(-2)},
		{"numeric.divmod", []any{17, 5}, []any{int64(3), int64(2)}},
		{"validator1.easyStructTest", []any{map[string]any{"moe": 1, "larry": 2, "curly": 3}}, int64(6)},
	}
	for _, tc := range cases {
		if got := call(t, c, tc.method, tc.args...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s%v = %#v, want %#v", tc.method, tc.args, got, tc.want)
		}
	}

	msg := wantFault(t, c, -32602, "add", 1, "x")
	if !strings.Contains(msg, "int") || !strings.Contains(msg, "string") {
		t.Errorf("add(1, \"x\") fault %q does not say what was given", msg)
	}
	wantFault(t, c, -32602, "numeric.triple", 1, 2)
	wantFault(t, c, -32602, "numeric.triple", "fourteen")
	wantFault(t, c, -32601, "no.such.method")
	wantFault(t, c, -32601, "_private")
	wantFault(t, c, -32601, "add._hidden")
}

func TestIntrospectionCoversWasmProcedures(t *testing.T) {
	s := startServer(t, "plugins")
	c := dial(t, s.URL)

	names, ok := call(t, c, "system.listMethods").([]any)
	if !ok {
		t.Fatal("system.listMethods did not return an array")
	}
	for _, want := range []string{"add", "add.add", "numeric.add", "numeric.triple", "triple", "types.echo",
		"validator1.arrayOfStructsTest", "system.listMethods", "system.methodHelp", "system.methodSignature",
		"system.multicall", "system.getCapabilities"} {
		if !slices.Contains(names, any(want)) {
			t.Errorf("system.listMethods lacks %q", want)
		}
	}
	if !slices.IsSortedFunc(names, func(a, b any) int { return strings.Compare(a.(string), b.(string)) }) {
		t.Error("system.listMethods is not sorted")
	}

	if help := call(t, c, "system.methodHelp", "add").(string); !strings.HasPrefix(help, "Same as add.add.") {
		t.Errorf("methodHelp(add) = %q; it should say which plugin answers the bare name", help)
	}
	if help := call(t, c, "system.methodHelp", "numeric.triple").(string); !strings.Contains(help, "i64") {
		t.Errorf("methodHelp(numeric.triple) = %q", help)
	}
	if got, want := call(t, c, "system.methodSignature", "numeric.triple"), []any{[]any{"i8", "i8"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("methodSignature(numeric.triple) = %#v, want %#v", got, want)
	}
	if sigs, ok := call(t, c, "system.methodSignature", "add").([]any); !ok || len(sigs) == 0 {
		t.Errorf("methodSignature(add) = %#v, want signatures from the SDK manifest", sigs)
	}
	wantFault(t, c, -32601, "system.methodHelp", "nope")
	caps := call(t, c, "system.getCapabilities").(map[string]any)
	for _, k := range []string{"xmlrpc", "system.multicall", "introspection", "faults_interop", "nil"} {
		if _, ok := caps[k]; !ok {
			t.Errorf("getCapabilities lacks %q", k)
		}
	}
}

func TestMulticallRunsEachCallAndReportsFaultsInPlace(t *testing.T) {
	s := startServer(t, "plugins")
	c := dial(t, s.URL)
	got := call(t, c, "system.multicall", []any{
		map[string]any{"methodName": "add", "params": []any{1, 2}},
		map[string]any{"methodName": "no.such"},
		map[string]any{"methodName": "system.multicall", "params": []any{[]any{}}},
		map[string]any{"methodName": "numeric.triple", "params": []any{3}},
	}).([]any)
	if len(got) != 4 {
		t.Fatalf("multicall returned %d results, want 4: %#v", len(got), got)
	}
	if !reflect.DeepEqual(got[0], []any{int64(3)}) || !reflect.DeepEqual(got[3], []any{int64(9)}) {
		t.Errorf("multicall successes = %#v, %#v; want [3], [9]", got[0], got[3])
	}
	for i, code := range map[int]int64{1: -32601, 2: -32600} {
		f, ok := got[i].(map[string]any)
		if !ok || f["faultCode"] != code {
			t.Errorf("multicall result %d = %#v, want a fault struct with code %d", i, got[i], code)
		}
	}
}

// A hand-written module dropped into the plugin directory before start is
// served; a garbage one is logged and skipped while the rest is served.
func TestDroppedWatModuleIsServedAndGarbageIsSkipped(t *testing.T) {
	wat2wasm := requireTool(t, "wat2wasm")
	dir := t.TempDir()
	if out, err := exec.Command(wat2wasm, "testdata/triple.wat", "-o", filepath.Join(dir, "tripler.wasm")).CombinedOutput(); err != nil {
		t.Fatalf("wat2wasm: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "garbage.wasm"), []byte("this is not WebAssembly"), 0o644); err != nil {
		t.Fatal(err)
	}
	add, err := os.ReadFile("plugins/add.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "add.wasm"), add, 0o644); err != nil {
		t.Fatal(err)
	}

	s := startServer(t, dir)
	c := dial(t, s.URL)
	if got := call(t, c, "tripler.triple", 14); got != int64(42) {
		t.Errorf("tripler.triple(14) = %#v, want 42", got)
	}
	if got := call(t, c, "add", 3, 4); got != int64(7) {
		t.Errorf("add(3, 4) = %#v, want 7", got)
	}
	logs := s.Logs()
	if !strings.Contains(logs, "plugin skipped") || !strings.Contains(logs, "garbage.wasm") {
		t.Errorf("the log does not say garbage.wasm was skipped:\n%s", logs)
	}
	wantFault(t, c, -32601, "garbage.anything")
}
