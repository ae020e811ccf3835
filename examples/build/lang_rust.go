package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// rustcEnv names a rustc to build Rust guests with instead of looking for
// one. It is taken whatever its version: modules it builds may then differ
// from the committed ones, which TestPluginsUpToDate reports. Its name
// does not start with RPCHOST_: rpchost refuses to start with an
// RPCHOST_ variable it does not know, and this one may well stay set in a
// developer's shell.
const rustcEnv = "WASI_RUSTC"

// rustcVersion is the `rustc --version` the committed Rust modules were
// built with: Debian's (bookworm) rustc with libstd-rust-dev-wasm32, which
// .ci/run installs. Another version makes other bytes, so a rustc of
// another version is not used unless rustcEnv names it (RATIONALE.md).
const rustcVersion = "rustc 1.63.0"

// rustTargets are the names the WASI preview 1 target has had: wasm32-wasi
// up to Rust 1.83, wasm32-wasip1 from 1.78 on.
var rustTargets = []string{"wasm32-wasi", "wasm32-wasip1"}

// rustInstall says how to get the toolchain the committed modules need.
const rustInstall = "install Debian's: apt-get install rustc libstd-rust-dev-wasm32"

// rustLanguage builds a Rust guest: a directory whose lib.rs is the root
// of a cdylib crate that includes the SDK as a module (sdk/rust), with
// rustc alone (no cargo: nothing is downloaded). Paths are relative to the
// root and remapped, and the debug info of the standard library is
// stripped, so the module depends only on the sources and the toolchain;
// the name section is kept, as for Go guests, for trap stack traces.
var rustLanguage = language{
	name: "rust",
	owns: func(file string) bool { return strings.HasSuffix(file, ".rs") },
	command: func(ctx context.Context, root string, src source, out string) (*exec.Cmd, error) {
		rustc, target, err := findRustc(ctx)
		if err != nil {
			return nil, err
		}
		lib := filepath.Join(src.dir, "lib.rs")
		if _, err := os.Stat(lib); err != nil {
			return nil, fmt.Errorf("rust guest %s has no lib.rs, the root of its crate: %w", src.name, err)
		}
		cmd := exec.CommandContext(ctx, rustc, "--edition", "2021", "--crate-type", "cdylib",
			"--crate-name", strings.ReplaceAll(src.name, "-", "_"), "--target", target,
			"-C", "opt-level=s", "-C", "codegen-units=1", "-C", "panic=abort", "-C", "strip=debuginfo",
			"--remap-path-prefix", root+"=.", "-o", out, rel(root, lib))
		cmd.Dir = root
		// RUSTFLAGS is cargo's, but keep rustc's own environment from
		// changing the bytes (a wrapper, say).
		cmd.Env = append(os.Environ(), "RUSTC_WRAPPER=", "RUSTC_BOOTSTRAP=")
		return cmd, nil
	},
}

// findRustc returns the rustc to build with and its WASI target: the one
// rustcEnv names, else the first of Debian's /usr/bin/rustc and the rustc
// on PATH (often rustup's, which has no wasm target unless one was added)
// that has a WASI standard library and the pinned version. The error says
// what each candidate lacks and what to install.
func findRustc(ctx context.Context) (string, string, error) {
	if p := os.Getenv(rustcEnv); p != "" {
		_, target, err := rustcInfo(ctx, p)
		if err != nil {
			return "", "", toolMissing(fmt.Sprintf("%s=%s: %v", rustcEnv, p, err))
		}
		return p, target, nil
	}
	candidates := []string{"/usr/bin/rustc"}
	if p, err := exec.LookPath("rustc"); err == nil {
		if abs, err := filepath.Abs(p); err == nil && abs != candidates[0] {
			candidates = append(candidates, abs)
		}
	}
	return pickRustc(ctx, candidates)
}

// pickRustc returns the first of candidates (absolute paths) that has a
// WASI standard library and the pinned version.
func pickRustc(ctx context.Context, candidates []string) (string, string, error) {
	var why []string
	for _, c := range candidates {
		if _, err := os.Stat(c); err != nil {
			continue
		}
		version, target, err := rustcInfo(ctx, c)
		switch {
		case err != nil:
			why = append(why, fmt.Sprintf("%s: %v", c, err))
		case version != rustcVersion:
			why = append(why, fmt.Sprintf("%s is %s, but the committed modules are built with %s "+
				"(set %s=%s to build with it anyway; its modules will differ from the committed ones)",
				c, version, rustcVersion, rustcEnv, c))
		default:
			return c, target, nil
		}
	}
	if len(why) == 0 {
		why = append(why, "rustc not found")
	}
	return "", "", toolMissing(fmt.Sprintf("no rustc to build Rust guests with: %s; %s",
		strings.Join(why, "; "), rustInstall))
}

// rustcInfo reports a rustc's version ("rustc 1.63.0") and the first of
// rustTargets whose standard library its sysroot holds.
func rustcInfo(ctx context.Context, rustc string) (version, target string, err error) {
	v, err := exec.CommandContext(ctx, rustc, "--version").Output()
	if err != nil {
		return "", "", fmt.Errorf("run %s --version: %w", rustc, err)
	}
	// "rustc 1.63.0" or "rustc 1.95.0 (59807616e 2026-04-14)".
	fields := strings.Fields(string(v))
	if len(fields) < 2 {
		return "", "", fmt.Errorf("%s --version printed %q", rustc, v)
	}
	version = fields[0] + " " + fields[1]
	sysroot, err := exec.CommandContext(ctx, rustc, "--print", "sysroot").Output()
	if err != nil {
		return "", "", fmt.Errorf("run %s --print sysroot: %w", rustc, err)
	}
	lib := filepath.Join(strings.TrimSpace(string(sysroot)), "lib", "rustlib")
	for _, t := range rustTargets {
		if _, err := os.Stat(filepath.Join(lib, t, "lib")); err == nil {
			// rustc links wasm with rust-lld: rustup's lies in the
			// sysroot, Debian's is lld's, on PATH (libstd-rust-dev-wasm32
			// only recommends lld).
			if _, err := exec.LookPath("rust-lld"); err != nil {
				if found, _ := filepath.Glob(filepath.Join(lib, "*", "bin", "rust-lld")); len(found) == 0 {
					return version, "", errors.New(version + " has no linker for " + t + ": rust-lld is neither on PATH nor in " + lib + " (Debian: apt-get install lld)")
				}
			}
			return version, t, nil
		}
	}
	return version, "", errors.New(version + " has no standard library for " + strings.Join(rustTargets, " or ") +
		" in " + lib)
}
