package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// cSDK is the C guest SDK, relative to the module root: its header
// directory and the directory of the sources compiled into every C guest.
const (
	cSDKInclude = "sdk/c/include"
	cSDKSources = "sdk/c/src"
)

// cToolchain is the first line of `clang --version` of the compiler the
// committed C modules were built with: Debian 12's clang 14, with its
// wasi-libc and libclang-rt-dev-wasm32. Another clang gives other bytes,
// so the staleness test could not tell a stale module from a different
// compiler: with any other version, C guests are skipped as if clang were
// missing (and fail under CI=true, where .ci/run installs this one). See
// RATIONALE.md, "Why do C guests build with one clang version only?".
const cToolchain = "Debian clang version 14.0.6"

// cInstall is how to install the C toolchain on Debian.
const cInstall = "apt-get install clang lld wasi-libc libclang-rt-dev-wasm32"

// cLanguage builds a C guest with the C SDK as a WASI reactor: -O2,
// DWARF stripped but the name section kept, so that a trap's stack trace
// names functions, and the stack placed first in memory, so that an
// overflow traps rather than overwrite static data. Every path on the command line is relative to the
// root, and no debug information records one, so the bytes do not depend
// on where the checkout is.
var cLanguage = language{
	name: "c",
	owns: func(file string) bool { return strings.HasSuffix(file, ".c") },
	command: func(ctx context.Context, root string, src source, out string) (*exec.Cmd, error) {
		clang, err := findClang(ctx)
		if err != nil {
			return nil, err
		}
		sdk, err := filepath.Glob(filepath.Join(root, cSDKSources, "*.c"))
		if err != nil || len(sdk) == 0 {
			return nil, fmt.Errorf("find the C SDK's sources in %s: %v", cSDKSources, err)
		}
		args := []string{"--target=wasm32-wasi", "-O2", "-mexec-model=reactor", "-std=c11",
			"-Wall", "-Wextra", "-Werror", "-Wl,--strip-debug,--stack-first", "-I" + cSDKInclude}
		for _, f := range append(sdk, src.files...) { // both sorted
			args = append(args, filepath.ToSlash(rel(root, f)))
		}
		cmd := exec.CommandContext(ctx, clang, append(args, "-o", out)...)
		cmd.Dir = root
		return cmd, nil
	},
}

// findClang returns the clang to build C guests with, or a toolMissing
// error when there is none, it cannot target wasm32-wasi, or it is not the
// version the committed modules were built with.
func findClang(ctx context.Context) (string, error) {
	clang, err := exec.LookPath("clang")
	if err != nil {
		if clang, err = exec.LookPath("clang-14"); err != nil {
			return "", toolMissing("clang not found: install the C toolchain (" + cInstall + ")")
		}
	}
	version, err := exec.CommandContext(ctx, clang, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", clang, err)
	}
	first, _, _ := bytes.Cut(version, []byte("\n"))
	if got := strings.TrimSpace(string(first)); !strings.HasPrefix(got, cToolchain+" ") && got != cToolchain {
		return "", toolMissing(fmt.Sprintf("%s is %q, but the committed C modules were built with %q, "+
			"whose bytes the staleness test compares: use Debian 12's (%s)", clang, got, cToolchain, cInstall))
	}
	// Without wasi-libc or the wasm32 builtins, clang prints the bare file
	// name back rather than a path.
	for _, lib := range []struct{ flag, pkg string }{
		{"-print-file-name=libc.a", "wasi-libc"},
		{"-print-libgcc-file-name", "libclang-rt-dev-wasm32"},
	} {
		p, err := exec.CommandContext(ctx, clang, "--target=wasm32-wasi", lib.flag).Output()
		if err != nil {
			return "", fmt.Errorf("%s %s: %w", clang, lib.flag, err)
		}
		if _, err := os.Stat(strings.TrimSpace(string(p))); err != nil || !filepath.IsAbs(strings.TrimSpace(string(p))) {
			return "", toolMissing(fmt.Sprintf("clang has no %s for wasm32-wasi: install %s (%s)",
				strings.TrimPrefix(lib.flag, "-print-"), lib.pkg, cInstall))
		}
	}
	if _, err := exec.LookPath("wasm-ld"); err != nil {
		if _, err := exec.LookPath("wasm-ld-14"); err != nil {
			return "", toolMissing("wasm-ld not found: install lld (" + cInstall + ")")
		}
	}
	return clang, nil
}
