package interrupt

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// shippedCollections are examples/build's collections (examples/build/build.go):
// each guest directory of src builds to out/<guest>.wasm.
var shippedCollections = []struct{ src, out string }{
	{"examples/guests", "plugins"},
	{"examples/deploy", "examples/deploy"},
}

// shippedModules lists the modules the project ships: one per guest that
// `go run ./examples/build` builds.
func shippedModules(t *testing.T) []string {
	t.Helper()
	paths := shippedModulesUnder(t, "../..")
	if len(paths) < 5 {
		t.Fatalf("found only %d shipped modules: %v", len(paths), paths)
	}
	return paths
}

// shippedModulesUnder finds the guests under root as examples/build does
// (directories, skipping ., _ and testdata; examples/guests must exist) and
// returns their modules. It does not glob plugins/, where a user may have
// dropped a module of their own, as README's deploy section invites: such a
// module is not the project's to check. A guest without its module fails.
func shippedModulesUnder(t *testing.T, root string) []string {
	t.Helper()
	var paths []string
	for _, c := range shippedCollections {
		entries, err := os.ReadDir(filepath.Join(root, c.src))
		if errors.Is(err, os.ErrNotExist) && c.src != "examples/guests" {
			continue
		}
		if err != nil {
			t.Fatalf("list guests: %v", err)
		}
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") || e.Name() == "testdata" {
				continue
			}
			path := filepath.Join(root, c.out, e.Name()+".wasm")
			if _, err := os.Stat(path); err != nil {
				t.Errorf("guest %s/%s has no module: %v (run go run ./examples/build)", c.src, e.Name(), err)
				continue
			}
			paths = append(paths, path)
		}
	}
	return paths
}

// A broken module of the user's in plugins/ is not among the shipped ones,
// so `go test ./...` does not fail for it; the guests' modules are.
func TestShippedModulesAreTheGuestsModules(t *testing.T) {
	root := t.TempDir()
	for path, data := range map[string]string{
		"examples/guests/a/main.go":     "package main",
		"examples/guests/_skip/main.go": "package main",
		"examples/guests/testdata/x":    "",
		"plugins/a.wasm":                "\x00asm",
		"plugins/broken.wasm":           "garbage",
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, path), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := shippedModulesUnder(t, root), []string{filepath.Join(root, "plugins/a.wasm")}; !slices.Equal(got, want) {
		t.Errorf("shipped modules %v, want %v", got, want)
	}
	paths := shippedModules(t)
	for _, want := range []string{"plugins/add.wasm", "plugins/records.wasm", "examples/deploy/up.wasm"} {
		if !slices.Contains(paths, filepath.Join("../..", want)) {
			t.Errorf("%s is not among the shipped modules %v", want, paths)
		}
	}
}
