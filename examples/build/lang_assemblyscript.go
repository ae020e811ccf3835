package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// asSDK is the AssemblyScript SDK's directory, relative to the module
// root: its node_modules holds the pinned compiler (npm ci), and its
// assembly/abort.ts is where the build points abort.
const asSDK = "sdk/assemblyscript"

// asEntry is the file a guest's module is compiled from; its other .ts
// files are modules it imports.
const asEntry = "index.ts"

// asFlags are the compiler's options for every AssemblyScript guest:
//   - the stub runtime, a bump allocator the SDK resets at every call
//     (RATIONALE.md, "The AssemblyScript SDK's memory");
//   - the top-level code (register, ...) as the WASI reactor's
//     _initialize, which the host calls once per instance;
//   - abort at the SDK's own function, which writes to stderr and traps,
//     instead of the import env.abort that rpchost refuses;
//   - optimized for size; no source map, so that nothing names a path;
//   - with a name section (--debug), for the same reason Go guests keep
//     their symbols: a trap's stack trace in the log names functions
//     (about 4 KB of a 15 KB module). The names hold the sources' paths
//     relative to the root, so they do not depend on the checkout.
var asFlags = []string{
	"--runtime", "stub",
	"--exportStart", "_initialize",
	"--use", "abort=" + asSDK + "/assembly/abort/rpchostAbort",
	"-Oz", "--debug", "--noColors",
}

// asMissing says how to install the compiler the SDK pins.
const asMissing = "install it with `npm ci --prefix " + asSDK + "` (needs node and npm: apt-get install nodejs npm)"

// assemblyScriptLanguage builds a guest's index.ts with the asc that
// `npm ci --prefix sdk/assemblyscript` installs, from the module root with
// relative paths, so that the bytes depend only on the sources and the
// compiler. A compiler of another version than package.json pins counts
// as missing: it would build other bytes than the committed ones.
var assemblyScriptLanguage = language{
	name: "assemblyscript",
	owns: func(file string) bool { return strings.HasSuffix(file, ".ts") && !strings.HasSuffix(file, ".d.ts") },
	command: func(ctx context.Context, root string, src source, out string) (*exec.Cmd, error) {
		if !hasFile(src.files, asEntry) {
			return nil, fmt.Errorf("assemblyscript guest %s has no %s, the file its module is built from", src.name, asEntry)
		}
		if _, err := exec.LookPath("node"); err != nil {
			return nil, toolMissing("node not found: the AssemblyScript compiler runs on it; " + asMissing)
		}
		asc := filepath.Join(root, asSDK, "node_modules", ".bin", "asc")
		if _, err := os.Stat(asc); err != nil {
			return nil, toolMissing("asc not found in " + asSDK + "/node_modules: " + asMissing)
		}
		if err := checkASVersion(root); err != nil {
			return nil, err
		}
		args := append([]string{filepath.ToSlash(rel(root, filepath.Join(src.dir, asEntry))), "-o", out}, asFlags...)
		cmd := exec.CommandContext(ctx, asc, args...)
		cmd.Dir = root
		return cmd, nil
	},
}

// checkASVersion compares the installed compiler's version with the one
// sdk/assemblyscript/package.json pins.
func checkASVersion(root string) error {
	var pinned struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	var installed struct {
		Version string `json:"version"`
	}
	if err := readJSON(filepath.Join(root, asSDK, "package.json"), &pinned); err != nil {
		return err
	}
	if err := readJSON(filepath.Join(root, asSDK, "node_modules", "assemblyscript", "package.json"), &installed); err != nil {
		return toolMissing("assemblyscript not found in " + asSDK + "/node_modules: " + asMissing)
	}
	if want := pinned.DevDependencies["assemblyscript"]; installed.Version != want {
		return toolMissing(fmt.Sprintf("assemblyscript %s is installed in %s/node_modules, but the committed modules are built with %s: %s",
			installed.Version, asSDK, want, asMissing))
	}
	return nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// hasFile reports whether one of paths has the base name name.
func hasFile(paths []string, name string) bool {
	for _, p := range paths {
		if filepath.Base(p) == name {
			return true
		}
	}
	return false
}
