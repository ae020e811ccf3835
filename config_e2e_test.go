package rpchost_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// These tests run the real binary for what an operator meets first: a
// port in use, a mistake in the configuration, and the command-line client.

// runResult is what one run of the binary did.
type runResult struct {
	out  string // stdout and stderr
	code int
	took time.Duration
}

// runRPCHost runs the binary in dir with only env among RPCHOST_* variables.
func runRPCHost(t *testing.T, dir string, env []string, args ...string) runResult {
	t.Helper()
	return runRPCHostFor(t, 2*time.Minute, dir, env, args...)
}

// runRPCHostFor is runRPCHost stopped after limit: a server that should
// have refused to start would otherwise serve until the test's deadline.
func runRPCHostFor(t *testing.T, limit time.Duration, dir string, env []string, args ...string) runResult {
	t.Helper()
	bin := rpchostBinary(t) // built before the clock starts: building may take longer than limit
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(withoutRPCHostEnv(), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	r := runResult{out: string(out), took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("rpchost %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if strings.Contains(r.out, "panic:") || strings.Contains(r.out, "goroutine ") {
		t.Errorf("rpchost %s printed a stack trace:\n%s", strings.Join(args, " "), r.out)
	}
	return r
}

func withoutRPCHostEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RPCHOST_") {
			out = append(out, kv)
		}
	}
	return out
}

func repoPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPortInUseIsReportedAtOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// The shipped plugins take seconds to compile without a cache: the
	// port must be refused before any of that.
	r := runRPCHost(t, t.TempDir(), []string{"RPCHOST_CACHE_DIR=off", "RPCHOST_STORE_DIR=" + t.TempDir()},
		"serve", "--listen", ln.Addr().String(), "--plugins", repoPath(t, "plugins"))
	t.Logf("refused in %v", r.took.Round(time.Millisecond))
	if r.code == 0 || !strings.Contains(r.out, "already in use") || !strings.Contains(r.out, ln.Addr().String()) {
		t.Errorf("exit %d, output:\n%s\nwant a non-zero exit naming the address as already in use", r.code, r.out)
	}
	if strings.Contains(r.out, "plugin loaded") {
		t.Errorf("plugins were loaded before the port was tried:\n%s", r.out)
	}
}

func TestConfigurationMistakesAreRefusedAtStart(t *testing.T) {
	cases := []struct {
		name, yaml string
		env        []string
		want       []string
	}{
		{"unknown keys", "listn: 1\npool:\n  sise: 3\nlimits:\n  call_timout: 1s\n", nil, []string{
			"c.yaml:1: unknown key listn (did you mean listen?)",
			"c.yaml:3: unknown key pool.sise (did you mean pool.size?)",
			"c.yaml:5: unknown key limits.call_timout (did you mean limits.call_timeout?)",
		}},
		{"unknown variable", "", []string{"RPCHOST_POOL_SIZES=3"}, []string{"RPCHOST_POOL_SIZES: unknown variable (did you mean RPCHOST_POOL_SIZE?)"}},
		{"bad values", "pool:\n  size: 0\nlimits:\n  memory_mib: -3\n  max_depth: 1000\n  call_timeout: -5s\n", nil, []string{
			"c.yaml:2: pool.size: 0 is below 1",
			"c.yaml:4: limits.memory_mib: -3 is below 1",
			"c.yaml:5: limits.max_depth: 1000 is above 128",
			"c.yaml:6: limits.call_timeout: -5s is negative",
		}},
		{"bad value in the environment", "", []string{"RPCHOST_PLUGIN_UP_MEMORY_MIB=-3"}, []string{"RPCHOST_PLUGIN_UP_MEMORY_MIB: plugin.up.memory_mib: -3 is below 1"}},
		{"yaml error", "listen: 127.0.0.1:0\npool:\n  size: [3\nlog: {}\n", nil, []string{"c.yaml:3: did not find expected ',' or ']'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "c.yaml")
			if err := os.WriteFile(file, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			// No plugins to load: a configuration wrongly accepted starts
			// at once, and is stopped after 30 s.
			r := runRPCHostFor(t, 30*time.Second, dir, append(tc.env, "RPCHOST_CACHE_DIR=off", "RPCHOST_STORE_DIR="+t.TempDir()),
				"serve", "--config", file, "--listen", "127.0.0.1:0", "--plugins", t.TempDir())
			if r.code == 0 {
				t.Fatalf("rpchost started:\n%s", r.out)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.out, w) {
					t.Errorf("output does not say %q:\n%s", w, r.out)
				}
			}
		})
	}
}

func TestPerPluginCallTimeoutZeroFromFileAndEnvironmentIsNoLimit(t *testing.T) {
	count, err := os.ReadFile("host/testdata/count.wasm")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"bounded", "fileslow", "env_slow"} {
		if err := os.WriteFile(filepath.Join(dir, name+".wasm"), count, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "limits:\n  call_timeout: 20ms\nplugin:\n  fileslow:\n    call_timeout: 0\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	// env_slow's name holds an underscore: the variable is split by the
	// known key at its end.
	s := startServer(t, dir, "RPCHOST_CONFIG="+cfg, "RPCHOST_PLUGIN_ENV_SLOW_CALL_TIMEOUT=0")
	c := dial(t, s.URL)
	// Enough iterations to outlast 20 ms many times over.
	const n = 400_000_000
	start := time.Now()
	wantFault(t, c, -32001, "bounded.count", n)
	t.Logf("bounded.count stopped after %v", time.Since(start).Round(time.Millisecond))
	for _, m := range []string{"fileslow.count", "env_slow.count"} {
		start := time.Now()
		var got int64
		if err := c.Call(m, []any{n}, &got); err != nil || got != n {
			t.Errorf("%s(%d) = %d, %v; want it to run to the end", m, n, got, err)
		}
		t.Logf("%s ran %v, past the 20 ms default", m, time.Since(start).Round(time.Millisecond))
	}
}

func TestPerPluginEnvironmentOverrideTakesEffect(t *testing.T) {
	calc, err := os.ReadFile("host/testdata/calc.wasm")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "up.wasm"), calc, 0o644); err != nil {
		t.Fatal(err)
	}
	// The default is a minute: only the override can stop the spin in time
	// for the test's own deadline.
	s := startServer(t, dir, "RPCHOST_LIMITS_CALL_TIMEOUT=1m", "RPCHOST_PLUGIN_UP_CALL_TIMEOUT=500ms")
	c := dial(t, s.URL)
	start := time.Now()
	msg := wantFault(t, c, -32001, "up.spin")
	t.Logf("up.spin stopped after %v: %s", time.Since(start).Round(time.Millisecond), msg)
	if !strings.Contains(s.Logs(), "config=") {
		t.Errorf("the start-up log does not say which configuration was read:\n%s", s.Logs())
	}
}

func TestCLIFollowsTheServersConfiguration(t *testing.T) {
	// A directory of its own: the upload below must not land in the
	// checkout's plugins/, which a server of the user's may be serving.
	plugins := t.TempDir()
	for _, name := range []string{"add.wasm", "types.wasm", "records.wasm", "numeric.wasm"} {
		writeFile(t, filepath.Join(plugins, name), readFile(t, "plugins/"+name))
	}
	s := startServer(t, plugins, "RPCHOST_ADMIN_TOKEN=tok3n")
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL, "http://"), "/")
	_, port, _ := net.SplitHostPort(addr)
	// A directory where serve would listen on every interface: the CLI
	// reaches it on the loopback address, with the token of the file.
	dir := t.TempDir()
	yaml := fmt.Sprintf("listen: \":%s\"\nadmin:\n  token: tok3n\n", port)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cli := func(wantCode int, args ...string) string {
		t.Helper()
		r := runRPCHost(t, dir, nil, args...)
		if r.code != wantCode {
			t.Fatalf("rpchost %s: exit %d, want %d\n%s", strings.Join(args, " "), r.code, wantCode, r.out)
		}
		return strings.TrimSpace(r.out)
	}
	if out := cli(0, "call", "add", "-1", "2"); out != "1" {
		t.Errorf("call add -1 2 printed %q, want 1", out)
	}
	if out := cli(0, "upload", "--name", "cliup", repoPath(t, "host/testdata/answer2.wasm")); !strings.Contains(out, "uploaded cliup") {
		t.Errorf("upload printed %q", out)
	}
	if out := cli(0, "list"); !strings.Contains(out, "cliup") {
		t.Errorf("list printed %q", out)
	}
	cli(0, "rm", "cliup")
	if out := cli(1, "call", "add", "1", "x"); !strings.Contains(out, "fault -32602") {
		t.Errorf("a fault printed %q", out)
	}
	if out := cli(2, "call", "add", "99999999999999999999", "1"); !strings.Contains(out, "does not fit in an i8") {
		t.Errorf("a number beyond i8 printed %q", out)
	}
	// RPCHOST_SERVER as host:port, from a directory without configuration.
	r := runRPCHost(t, t.TempDir(), []string{"RPCHOST_SERVER=" + addr}, "call", "add", "3", "4")
	if r.code != 0 || strings.TrimSpace(r.out) != "7" {
		t.Errorf("RPCHOST_SERVER=%s: exit %d, %q", addr, r.code, r.out)
	}

	// Every type goes to the server and back as it was written, and what
	// is printed can be given back with --json.
	cases := map[string]string{
		"i4:3":                          "3",
		"-5":                            "-5",
		"i8:5000000000":                 "5000000000",
		"double:3":                      "3.0",
		"0.25":                          "0.25",
		"bool:true":                     "true",
		"str:3":                         `"3"`,
		"nil":                           "null",
		"datetime:2026-01-02T03:04:05Z": `{"__datetime__":"2026-01-02T03:04:05Z"}`,
		"base64:aGk=":                   `{"__base64__":"aGk="}`,
		`{"b": 1.0, "a": [null]}`:       `{"b":1.0,"a":[null]}`,
		// Wider than a line: indented, and still given back as it was.
		`{"long": "` + strings.Repeat("x", 80) + `", "at": {"__datetime__": "2026-01-02T03:04:05Z"}}`: "{\n  \"long\": \"" + strings.Repeat("x", 80) + "\",\n  \"at\": {\n    \"__datetime__\": \"2026-01-02T03:04:05Z\"\n  }\n}",
	}
	for arg, want := range cases {
		out := cli(0, "call", "types.echo", arg)
		if out != want {
			t.Errorf("types.echo %s printed %q, want %q", arg, out, want)
			continue
		}
		if again := cli(0, "call", "--json", "types.echo", out); again != out {
			t.Errorf("types.echo --json %s printed %q", out, again)
		}
	}

	// records.ingest and records.query from the shell.
	rec := `[{"id": "cli-1", "source": "shell", "at": {"__datetime__": "2026-01-02T03:04:05Z"}, "value": 1.5, "tags": ["x"]}]`
	var ingested struct{ Stored int }
	if out := cli(0, "call", "--json", "records.ingest", rec); json.Unmarshal([]byte(out), &ingested) != nil || ingested.Stored != 1 {
		t.Errorf("records.ingest printed %s", out)
	}
	out := cli(0, "call", "--json", "records.query", `{"source": "shell"}`)
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0]["id"] != "cli-1" ||
		fmt.Sprint(got[0]["at"]) != "map[__datetime__:2026-01-02T03:04:05Z]" || got[0]["value"] != 1.5 {
		t.Errorf("records.query printed %s (%v)", out, err)
	}
}

func TestVersion(t *testing.T) {
	r := runRPCHost(t, t.TempDir(), nil, "--version")
	if r.code != 0 || !strings.Contains(r.out, "rpchost ") || !strings.Contains(r.out, "commit ") ||
		!strings.Contains(r.out, fmt.Sprintf("ABI version %d", abi.Version)) {
		t.Errorf("--version: exit %d\n%s", r.code, r.out)
	}
}
