package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// requireWat2wasm skips a test that needs wat2wasm when it is missing,
// except in CI (CI=true), where a missing tool must not pass silently.
func requireWat2wasm(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("wat2wasm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: not skipping)", errNoWat2wasm)
		}
		t.Skipf("skipping: %v", errNoWat2wasm)
	}
}

func testRoot(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestPluginsUpToDate rebuilds every guest and compares the result with
// the committed module (plugins/*.wasm, examples/deploy/*.wasm), so that a
// change to a guest or to the SDK cannot be committed without the modules
// it changes. Guests whose toolchain is missing (wat2wasm, say) are left
// out and the test then skips, after checking the others (it fails instead
// when CI=true).
func TestPluginsUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds every guest")
	}
	root := testRoot(t)
	sources, err := findSources(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"add", "numeric", "records", "types", "validator1", "up", "up-v2"} {
		if !slices.ContainsFunc(sources, func(s source) bool { return s.name == want }) {
			t.Errorf("no source found for %s", want)
		}
	}
	out := t.TempDir()
	var skipped []string
	var missing []error
	for _, src := range sources {
		name := rel(root, src.committed(root))
		want, err := os.ReadFile(src.committed(root))
		switch {
		case errors.Is(err, os.ErrNotExist):
			t.Errorf("%s is missing: %s builds it; run `go run ./examples/build %s` and commit it",
				name, rel(root, src.dir), src.name)
			continue
		case err != nil:
			t.Fatal(err)
		}
		built := filepath.Join(out, src.name+".wasm")
		if _, err := command(context.Background(), root, src, built); isToolMissing(err) {
			skipped = append(skipped, name)
			if !slices.ContainsFunc(missing, func(e error) bool { return e.Error() == err.Error() }) {
				missing = append(missing, err)
			}
			continue
		}
		if err := buildOne(context.Background(), root, src, built); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(built)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			cmd, _ := command(context.Background(), root, src, name)
			t.Errorf("%s (%d bytes) differs from what %s builds (%d bytes): run `go run ./examples/build` "+
				"(for this file alone: %s) and commit it", name, len(want), rel(root, src.dir), len(got),
				shellLine(cmd))
		}
	}
	stray, err := strayModules(root, sources)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range committed(root, stray) {
		t.Errorf("%s has no source: delete it, or add its source and run `go run ./examples/build`", rel(root, f))
	}
	if len(skipped) > 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot check %s: %v (CI=true: not skipping)", strings.Join(skipped, ", "), errors.Join(missing...))
		}
		t.Skipf("the others checked; skipping %s: %v", strings.Join(skipped, ", "), errors.Join(missing...))
	}
}

// TestGoBuildReproducible builds one Go guest twice, in directories of
// different names, and expects the same bytes: without that, comparing
// committed modules with fresh builds would be meaningless.
func TestGoBuildReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds a guest twice")
	}
	root := testRoot(t)
	src := source{name: "add", dir: filepath.Join(root, guestsDir, "add"), out: pluginsDir}
	a, b := filepath.Join(t.TempDir(), "a.wasm"), filepath.Join(t.TempDir(), "other", "b.wasm")
	for _, out := range []string{a, b} {
		if err := buildOne(context.Background(), root, src, out); err != nil {
			t.Fatal(err)
		}
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if len(da) == 0 || !bytes.Equal(da, db) {
		t.Fatalf("two builds of %s differ (%d and %d bytes)", src.name, len(da), len(db))
	}
}

func TestFindSources(t *testing.T) {
	root := t.TempDir()
	write := func(path, data string) {
		t.Helper()
		p := filepath.Join(root, guestsDir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b/main.go", "package main")
	write("b/main_test.go", "package main")
	write("a/a.wat", "(module)")
	write("a/README", "")
	write(".hidden/x.go", "")
	write("_skip/x.go", "")
	srcs, err := findSources(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].name != "a" || srcs[0].kind() != "wat" || srcs[1].name != "b" || srcs[1].kind() != "go" {
		t.Fatalf("findSources = %+v", srcs)
	}

	for _, tc := range []struct{ file, want string }{
		{"c/c.wat", "guest c has go files and wat files (c.wat): keep one language per directory"},
		{"b/other.wat", "guest b has go files and wat files (other.wat)"},
	} {
		write(tc.file, "")
		if tc.file == "c/c.wat" {
			write("c/main.go", "package main")
		}
		if _, err := findSources(root); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("after adding %s: err = %v, want %q", tc.file, err, tc.want)
		}
		os.RemoveAll(filepath.Join(root, guestsDir, filepath.Dir(tc.file)))
	}

	write("d/one.wat", "")
	write("d/two.wat", "")
	if _, err := findSources(root); err == nil || !strings.Contains(err.Error(), "guest d has 2 wat files (one.wat, two.wat)") {
		t.Errorf("two .wat files: err = %v", err)
	}
	os.RemoveAll(filepath.Join(root, guestsDir, "d"))
	write("e/only_test.go", "package main")
	if _, err := findSources(root); err == nil || !strings.Contains(err.Error(), "guest e has no source file of a language this command builds (go, wat") {
		t.Errorf("no sources: err = %v", err)
	}
}

func TestBuildFailureNamesTheCommand(t *testing.T) {
	requireWat2wasm(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.wat")
	if err := os.WriteFile(bad, []byte("(module (func (export \"f\") (result i32)))"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := buildOne(context.Background(), dir, source{name: "bad", dir: dir, lang: &watLanguage, files: []string{bad}}, filepath.Join(dir, "bad.wasm"))
	if err == nil || !strings.Contains(err.Error(), "build bad: wat2wasm --debug-names -o") ||
		!strings.Contains(err.Error(), "error") {
		t.Fatalf("err = %v", err)
	}
}

func TestReplaceFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.wasm")
	for i, tc := range []struct {
		data    string
		changed bool
	}{{"one", true}, {"one", false}, {"two", true}} {
		changed, err := replaceFile(path, []byte(tc.data))
		got, _ := os.ReadFile(path)
		if err != nil || changed != tc.changed || string(got) != tc.data {
			t.Fatalf("step %d: changed = %v, err = %v, content %q", i, changed, err, got)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

func TestShellLine(t *testing.T) {
	root := testRoot(t)
	cmd, err := command(context.Background(), root, source{name: "add", dir: filepath.Join(root, guestsDir, "add")}, "plugins/add.wasm")
	if err != nil {
		t.Fatal(err)
	}
	const want = "GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -buildvcs=false -o plugins/add.wasm ./examples/guests/add"
	if got := shellLine(cmd); got != want {
		t.Fatalf("shellLine = %q, want %q", got, want)
	}
}

// committed keeps the files git tracks: a module committed without its
// source is the repository's defect, while one a user copied into plugins/
// (as README's deploy walkthrough does) is theirs. Outside a git checkout
// every file is kept.
func committed(root string, files []string) []string {
	if len(files) == 0 {
		return nil
	}
	out, err := exec.Command("git", append([]string{"-C", root, "ls-files", "--"}, files...)...).Output()
	if err != nil {
		return files
	}
	var tracked []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			tracked = append(tracked, filepath.Join(root, line))
		}
	}
	return tracked
}
