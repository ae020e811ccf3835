package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// requireASC skips a test that needs the AssemblyScript compiler when it
// is missing (or of another version than the SDK pins), except under
// CI=true, where .ci/run installs it.
func requireASC(t *testing.T, root string) {
	t.Helper()
	_, err := assemblyScriptLanguage.command(context.Background(), root,
		source{name: "add", dir: filepath.Join(root, asSDK, "examples", "add"), files: []string{asEntry}}, "x.wasm")
	if isToolMissing(err) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: not skipping)", err)
		}
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestAssemblyScriptBuildPathIndependent builds the add example from a
// copy of its sources in another directory and expects the committed
// bytes: the staleness test means nothing if the checkout's path reaches
// the module.
func TestAssemblyScriptBuildPathIndependent(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds a guest")
	}
	root := testRoot(t)
	requireASC(t, root)
	other := filepath.Join(t.TempDir(), "another", "checkout")
	copyFile := func(rel string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(other, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(other, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(asSDK + "/package.json")
	copyFile(asSDK + "/examples/add/index.ts")
	sdkFiles, err := filepath.Glob(filepath.Join(root, asSDK, "assembly", "*.ts"))
	if err != nil || len(sdkFiles) == 0 {
		t.Fatalf("no SDK sources: %v", err)
	}
	for _, f := range sdkFiles {
		copyFile(rel(root, f))
	}
	if err := os.Symlink(filepath.Join(root, asSDK, "node_modules"), filepath.Join(other, asSDK, "node_modules")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(other, asSDK, "examples", "add")
	src := source{name: "add", dir: dir, lang: &assemblyScriptLanguage, files: []string{filepath.Join(dir, asEntry)}, out: asSDK + "/examples"}
	out := filepath.Join(t.TempDir(), "add.wasm")
	if err := buildOne(context.Background(), other, src, out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile(filepath.Join(root, asSDK, "examples", "add.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("built in %s, add.wasm has %d bytes, the committed one %d: the build depends on where it runs", other, len(got), len(want))
	}
}

func TestAssemblyScriptGuestNeedsIndex(t *testing.T) {
	dir := t.TempDir()
	_, err := assemblyScriptLanguage.command(context.Background(), dir,
		source{name: "g", dir: dir, files: []string{filepath.Join(dir, "main.ts")}}, "x.wasm")
	if err == nil || isToolMissing(err) || !strings.Contains(err.Error(), "assemblyscript guest g has no index.ts") {
		t.Fatalf("err = %v", err)
	}
}

func TestAssemblyScriptMissingCompiler(t *testing.T) {
	dir := t.TempDir()
	_, err := assemblyScriptLanguage.command(context.Background(), dir,
		source{name: "g", dir: dir, files: []string{filepath.Join(dir, asEntry)}}, "x.wasm")
	if !isToolMissing(err) || !strings.Contains(err.Error(), "npm ci --prefix sdk/assemblyscript") {
		t.Fatalf("err = %v, want a toolMissing error saying to run npm ci", err)
	}
}

func TestAssemblyScriptOtherVersion(t *testing.T) {
	dir := t.TempDir()
	write := func(p, data string) {
		t.Helper()
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(asSDK+"/package.json", `{"devDependencies": {"assemblyscript": "0.28.20"}}`)
	write(asSDK+"/node_modules/assemblyscript/package.json", `{"version": "0.27.0"}`)
	write(asSDK+"/node_modules/.bin/asc", "#!/bin/sh\n")
	err := checkASVersion(dir)
	if !isToolMissing(err) || !strings.Contains(err.Error(), "assemblyscript 0.27.0 is installed") ||
		!strings.Contains(err.Error(), "built with 0.28.20") {
		t.Fatalf("err = %v", err)
	}
}

// TestSkippedSaysWhy: building everything without the AssemblyScript
// compiler skips its guests, and the summary names the compiler, not
// another language's tool.
func TestSkippedSaysWhy(t *testing.T) {
	root := t.TempDir()
	for p, data := range map[string]string{
		"go.mod":                           "module example.com/x\n",
		asSDK + "/examples/hello/index.ts": "",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, guestsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), root, "", nil, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "skipped hello: ") || !strings.Contains(out.String(), "npm ci --prefix sdk/assemblyscript") ||
		strings.Contains(out.String(), "wat2wasm") {
		t.Errorf("output:\n%s", out.String())
	}
}
