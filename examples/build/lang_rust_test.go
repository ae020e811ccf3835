package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRustc writes a script that answers --version and --print sysroot
// as a rustc would, with a sysroot holding the standard library of the
// given targets.
func fakeRustc(t *testing.T, version string, targets ...string) string {
	t.Helper()
	dir := t.TempDir()
	sysroot := filepath.Join(dir, "sysroot")
	for _, target := range append([]string{"x86_64-unknown-linux-gnu"}, targets...) {
		if err := os.MkdirAll(filepath.Join(sysroot, "lib", "rustlib", target, "lib"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// rustup's layout: the linker in the host's bin/ of the sysroot.
	linker := filepath.Join(sysroot, "lib", "rustlib", "x86_64-unknown-linux-gnu", "bin", "rust-lld")
	if err := os.MkdirAll(filepath.Dir(linker), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(linker, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\ncase \"$1\" in\n--version) echo '" + version + "';;\n--print) echo '" + sysroot + "';;\n*) exit 1;;\nesac\n"
	path := filepath.Join(dir, "rustc")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPickRustc(t *testing.T) {
	ctx := context.Background()
	rustup := fakeRustc(t, "rustc 1.95.0 (59807616e 2026-04-14)")
	newer := fakeRustc(t, "rustc 1.95.0 (59807616e 2026-04-14)", "wasm32-wasip1")
	debian := fakeRustc(t, "rustc 1.63.0", "wasm32-unknown-unknown", "wasm32-wasi")

	got, target, err := pickRustc(ctx, []string{rustup, newer, debian})
	if err != nil || got != debian || target != "wasm32-wasi" {
		t.Errorf("pickRustc = %s, %s, %v; want %s, wasm32-wasi", got, target, err, debian)
	}

	_, _, err = pickRustc(ctx, []string{filepath.Join(t.TempDir(), "absent"), rustup, newer})
	if !isToolMissing(err) {
		t.Fatalf("without a rustc of the pinned version: %v, want a toolMissing error", err)
	}
	for _, want := range []string{
		rustup + ": rustc 1.95.0 has no standard library for wasm32-wasi or wasm32-wasip1",
		newer + " is rustc 1.95.0, but the committed modules are built with rustc 1.63.0",
		rustcEnv + "=" + newer,
		"apt-get install rustc libstd-rust-dev-wasm32",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	_, _, err = pickRustc(ctx, nil)
	if !isToolMissing(err) || !strings.Contains(err.Error(), "rustc not found") {
		t.Errorf("with no rustc: %v", err)
	}
}

// TestRustcEnv checks that WASI_RUSTC is taken whatever its version,
// and refused, saying why, when it has no WASI library.
func TestRustcEnv(t *testing.T) {
	ctx := context.Background()
	newer := fakeRustc(t, "rustc 1.95.0", "wasm32-wasip1")
	t.Setenv(rustcEnv, newer)
	if got, target, err := findRustc(ctx); err != nil || got != newer || target != "wasm32-wasip1" {
		t.Errorf("findRustc with %s=%s: %s, %s, %v", rustcEnv, newer, got, target, err)
	}
	bare := fakeRustc(t, "rustc 1.95.0")
	t.Setenv(rustcEnv, bare)
	if _, _, err := findRustc(ctx); !isToolMissing(err) || !strings.Contains(err.Error(), rustcEnv+"="+bare) {
		t.Errorf("findRustc with a rustc without a WASI library: %v", err)
	}
}

// A rustc with the WASI library but no rust-lld (Debian's rustc without
// lld, which libstd-rust-dev-wasm32 only recommends) is a missing tool,
// not a build that fails.
func TestRustcWithoutALinkerIsMissing(t *testing.T) {
	rustc := fakeRustc(t, rustcVersion, "wasm32-wasi")
	sysroot := filepath.Join(filepath.Dir(rustc), "sysroot")
	if err := os.RemoveAll(filepath.Join(sysroot, "lib", "rustlib", "x86_64-unknown-linux-gnu", "bin")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	_, _, err := pickRustc(context.Background(), []string{rustc})
	if !isToolMissing(err) || !strings.Contains(err.Error(), "apt-get install lld") {
		t.Fatalf("pickRustc = %v; want a missing tool naming lld", err)
	}
}
