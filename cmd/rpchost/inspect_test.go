package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inspect runs `rpchost inspect args...` in process and returns what it
// printed and the exit status main would give.
func inspect(t *testing.T, args ...string) (string, int) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs(append([]string{"inspect"}, args...))
	status := 0
	if err := root.ExecuteContext(context.Background()); err != nil {
		status = exitCode(err)
		t.Logf("rpchost: %v", err)
	}
	return out.String(), status
}

// fixtureFile is a module of host's test fixtures, or of plugins/.
func fixtureFile(dir, name string) string {
	return filepath.Join("..", "..", dir, name+".wasm")
}

func decodeInspection(t *testing.T, out string) inspectionJSON {
	t.Helper()
	var j inspectionJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("--json printed what is not an inspection: %v\n%s", err, out)
	}
	return j
}

func TestInspectAModuleThatLoads(t *testing.T) {
	t.Setenv("RPCHOST_CONFIG", "")
	file := fixtureFile("plugins", "numeric")
	out, status := inspect(t, file)
	if status != 0 {
		t.Fatalf("exit status %d, want 0:\n%s", status, out)
	}
	for _, want := range []string{
		"plugin    numeric\n",
		"kind      numeric exports (no rpchost_abi_version)",
		"memory    declared min 1 page, no maximum declared: it may grow up to limits.memory_mib, 1024 pages (64 MiB)",
		"imports   none\n",
		"methods   5\n",
		"  numeric.divmod(int, int) → array\n      WebAssembly export divmod(i32, i32) -> (i32, i32).\n",
		"verdict   served, as numeric.<method> (5 methods)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}

	out, status = inspect(t, "--json", file)
	j := decodeInspection(t, out)
	if status != 0 || !j.Loads || j.Kind != "numeric" || j.Name != "numeric" || len(j.Methods) != 5 || len(j.Problems) != 0 ||
		j.Memory.MaxPages != nil || j.Memory.LimitPages != 1024 || len(j.SHA256) != 64 || !j.Ran || j.CompileSeconds <= 0 {
		t.Errorf("status %d, %+v", status, j)
	}
	if m := j.Methods[0]; m.Name != "add" || len(m.Signatures) != 1 || strings.Join(m.Signatures[0], ",") != "i8,i8,i8" {
		t.Errorf("first method %+v", m)
	}
}

// Every refusal is printed, and the status is 1; --json says the same.
// --grants and the configuration's settings change the verdict.
func TestInspectAModuleThatIsRefused(t *testing.T) {
	t.Setenv("RPCHOST_CONFIG", "")
	file := fixtureFile("host/testdata", "kv_future")
	out, status := inspect(t, "--grants", "log", file)
	if status != 1 {
		t.Fatalf("exit status %d, want 1:\n%s", status, out)
	}
	for _, want := range []string{
		"kind      ABI v99 module; this rpchost speaks version 1\n",
		"imports   rpchost.kv_get (needs the \"kv\" grant)\n",
		"grants    log (--grants)\n",
		"verdict   refused, 2 problems:\n",
		"  - imports rpchost.kv_get, which needs the \"kv\" grant, and the plugin is granted only [log] (plugin.<name>.grants)\n",
		"  - module speaks ABI version 99; this rpchost speaks version 1\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
	out, status = inspect(t, "--json", "--grants", "log", file)
	if j := decodeInspection(t, out); status != 1 || j.Loads || len(j.Problems) != 2 || j.ABIVersion != 99 || len(j.Methods) != 0 {
		t.Errorf("status %d, %+v", status, j)
	}
	// With every grant only the version is wrong.
	out, _ = inspect(t, "--json", file)
	if j := decodeInspection(t, out); len(j.Problems) != 1 || !strings.Contains(j.Problems[0], "ABI version 99") {
		t.Errorf("with every grant: %q", j.Problems)
	}

	// The configuration file serve reads: no store refuses kv imports, and
	// a per-plugin grant list is the plugin's.
	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte("store:\n  driver: off\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, status = inspect(t, "--config", config, "--json", fixtureFile("host/testdata", "kv"))
	if j := decodeInspection(t, out); status != 1 || len(j.Problems) != 2 || !strings.Contains(j.Problems[0], "but no store is configured (store.driver)") {
		t.Errorf("store.driver off: status %d, %q", status, j.Problems)
	}
	t.Setenv("RPCHOST_PLUGIN_KV_GRANTS", "kv,time")
	out, status = inspect(t, "--json", fixtureFile("host/testdata", "kv"))
	if j := decodeInspection(t, out); status != 1 || len(j.Problems) != 1 || !strings.Contains(j.Problems[0], `rpchost.log, which needs the "log" grant`) {
		t.Errorf("RPCHOST_PLUGIN_KV_GRANTS=kv,time: status %d, %q", status, j.Problems)
	}

	// The name the module would be served under is judged too.
	out, status = inspect(t, "--name", "my-plugin", "--json", fixtureFile("plugins", "numeric"))
	if j := decodeInspection(t, out); status != 1 || len(j.Problems) != 1 || !strings.Contains(j.Problems[0], `plugin name "my-plugin" has '-'`) {
		t.Errorf("--name my-plugin: status %d, %q", status, j.Problems)
	}
}

// What cannot be inspected exits 2 and prints nothing on stdout.
func TestInspectFailures(t *testing.T) {
	t.Setenv("RPCHOST_CONFIG", "")
	for _, args := range [][]string{
		{filepath.Join(t.TempDir(), "missing.wasm")},
		{"--grants", "net", fixtureFile("plugins", "numeric")},
		{},
		{"a.wasm", "b.wasm"},
	} {
		out, status := inspect(t, args...)
		if status != 2 || out != "" {
			t.Errorf("inspect %q: status %d, printed %q; want 2 and nothing", args, status, out)
		}
	}
}
