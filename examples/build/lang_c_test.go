package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// requireClang skips a test that needs the C toolchain (the version the
// committed modules were built with) when it is missing, except in CI.
func requireClang(t *testing.T) {
	t.Helper()
	if _, err := findClang(context.Background()); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: not skipping)", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

// copyTree copies the files under src (relative to root) into dst/src.
func copyTree(t *testing.T, root, dst, src string) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(root, src), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel(root, path))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCBuildReproducible builds the C add example in two checkouts at
// paths of different lengths: the bytes must be the same, and the
// committed module's, or the staleness test would depend on where the
// repository is.
func TestCBuildReproducible(t *testing.T) {
	requireClang(t)
	root := testRoot(t)
	want, err := os.ReadFile(filepath.Join(root, "sdk/c/examples/add.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "a", "much", "longer", "checkout")} {
		copyTree(t, root, dir, cSDKInclude)
		copyTree(t, root, dir, cSDKSources)
		copyTree(t, root, dir, "sdk/c/examples/add")
		srcs, err := findIn(dir, collection{"sdk/c/examples", "sdk/c/examples"})
		if err != nil || len(srcs) != 1 || srcs[0].language() != &cLanguage {
			t.Fatalf("sources in the copy: %+v, %v", srcs, err)
		}
		out := filepath.Join(dir, "add.wasm")
		if err := buildOne(context.Background(), dir, srcs[0], out); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("add built in %s is %d bytes, differing from the committed %d bytes", dir, len(got), len(want))
		}
	}
}

// TestCToolchainMissing checks that without clang on PATH the C guests are
// skipped with a message saying what to install, not failed.
func TestCToolchainMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := cLanguage.command(context.Background(), testRoot(t), source{name: "x"}, "x.wasm")
	if !isToolMissing(err) || !bytes.Contains([]byte(err.Error()), []byte(cInstall)) {
		t.Fatalf("without clang: %v", err)
	}
	if _, err := exec.LookPath("clang"); err == nil {
		t.Fatal("PATH still finds clang")
	}
}
