package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tinyModule makes a module with one Go guest (go1, no SDK, so it builds in
// a second), one .wat guest (wat1) and one deploy guest (dep), and returns
// its root.
func tinyModule(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for path, data := range map[string]string{
		"go.mod":                         "module tiny\n\ngo 1.24\n",
		"examples/guests/go1/main.go":    "package main\n\nfunc main() {}\n",
		"examples/guests/wat1/wat1.wat":  "(module (func (export \"f\") (result i32) i32.const 1))\n",
		"examples/deploy/dep/main.go":    "package main\n\nfunc main() {}\n",
		"plugins/wat1.wasm":              "committed",
		"examples/deploy/not-built.wasm": "stray",
	} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// withoutWat2wasm leaves only the go command's directory on PATH, as on a
// machine with only Go installed.
func withoutWat2wasm(t *testing.T) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(goBin)
	if _, err := os.Stat(filepath.Join(dir, "wat2wasm")); err == nil {
		t.Fatalf("wat2wasm sits beside go in %s: cannot hide it", dir)
	}
	t.Setenv("PATH", dir)
}

// With only Go, building everything builds the Go guests, says which .wat
// guests were skipped and why, leaves their committed modules alone and
// succeeds: README's walkthroughs need only Go.
func TestBuildWithOnlyGoSkipsWatGuests(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds guests")
	}
	root := tinyModule(t)
	withoutWat2wasm(t)
	var out bytes.Buffer
	err := run(context.Background(), root, "", nil, &out)
	t.Logf("output:\n%s", out.String())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, want := range []string{
		"wrote     plugins/go1.wasm",
		"wrote     examples/deploy/dep.wasm",
		"skipped   plugins/wat1.wasm  wat guest: build wat1: wat2wasm not found: install WABT",
		"built 2 of 3 guests",
		"skipped wat1: wat2wasm not found",
		"warning: examples/deploy/not-built.wasm has no source",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, p := range []string{"plugins/go1.wasm", "examples/deploy/dep.wasm"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err != nil || !bytes.HasPrefix(b, []byte("\x00asm")) {
			t.Errorf("%s: %v, starts %q", p, err, b[:min(len(b), 4)])
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "plugins/wat1.wasm")); string(b) != "committed" {
		t.Errorf("the skipped guest's committed module was changed to %q", b)
	}
}

// Naming guests builds only those; a named guest that cannot be built, or
// a name no guest has, is a failure.
func TestBuildNamedGuests(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds a guest")
	}
	root := tinyModule(t)
	withoutWat2wasm(t)
	var out bytes.Buffer
	if err := run(context.Background(), root, "", []string{"dep"}, &out); err != nil {
		t.Fatalf("run dep: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "built 1 of 1 guests") || strings.Contains(out.String(), "go1") {
		t.Errorf("building dep alone printed:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(root, "plugins/go1.wasm")); err == nil {
		t.Error("go1 was built though only dep was named")
	}

	out.Reset()
	err := run(context.Background(), root, "", []string{"wat1"}, &out)
	if !errors.Is(err, errFailed) || !strings.Contains(out.String(), "wat2wasm not found") {
		t.Errorf("naming a .wat guest without wat2wasm: err = %v, output:\n%s", err, out.String())
	}

	err = run(context.Background(), root, "", []string{"nope"}, &out)
	if err == nil || !strings.Contains(err.Error(), `no guest named "nope"; the guests are go1, wat1, dep`) {
		t.Errorf("an unknown name: err = %v", err)
	}
}

// Two collections may each have a guest of one name (every SDK has an
// add): the bare name is refused with the directories to choose from, and
// a directory or module path picks one.
func TestSelectSourcesByPath(t *testing.T) {
	root := t.TempDir()
	sources := []source{
		{name: "add", dir: filepath.Join(root, "examples/guests/add"), out: "plugins"},
		{name: "add", dir: filepath.Join(root, "sdk/c/examples/add"), out: "sdk/c/examples"},
		{name: "records", dir: filepath.Join(root, "examples/guests/records"), out: "plugins"},
	}
	if _, err := selectSources(root, sources, []string{"add"}); err == nil ||
		!strings.Contains(err.Error(), `2 guests are named "add": name one by its directory (examples/guests/add, sdk/c/examples/add)`) {
		t.Errorf("an ambiguous name: err = %v", err)
	}
	for _, name := range []string{"sdk/c/examples/add", "sdk/c/examples/add/", "sdk/c/examples/add.wasm", "./sdk/c/examples/add"} {
		got, err := selectSources(root, sources, []string{name, "records.wasm"})
		if err != nil || len(got) != 2 || got[0].out != "sdk/c/examples" || got[1].name != "records" {
			t.Errorf("selectSources(%q, records.wasm) = %+v, %v", name, got, err)
		}
	}
}
