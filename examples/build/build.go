package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// guestsDir and pluginsDir are where sources and built modules live,
// relative to the module root.
const (
	guestsDir  = "examples/guests"
	pluginsDir = "plugins"
)

// A source is one guest: a directory of examples/guests holding either a Go
// main package (built with the Go SDK) or one hand-written .wat file. It
// builds to plugins/<name>.wasm.
type source struct {
	name string // the directory's name, and the plugin's
	dir  string // absolute
	wat  string // absolute path of the .wat file; "" for a Go package
}

func (s source) kind() string {
	if s.wat != "" {
		return "wat"
	}
	return "go"
}

// findSources lists the guests under root/examples/guests, sorted by name.
// A directory with both Go files and a .wat file, more than one .wat file,
// or neither is an error: which one would build is not clear.
func findSources(root string) ([]source, error) {
	base := filepath.Join(root, guestsDir)
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil, fmt.Errorf("list guests: %w", err)
	}
	var sources []source
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") || e.Name() == "testdata" {
			continue
		}
		dir := filepath.Join(base, e.Name())
		files, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("list guest %s: %w", e.Name(), err)
		}
		var goFiles, watFiles []string
		for _, f := range files {
			switch n := f.Name(); {
			case f.IsDir():
			case strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go"):
				goFiles = append(goFiles, n)
			case strings.HasSuffix(n, ".wat"):
				watFiles = append(watFiles, n)
			}
		}
		src := source{name: e.Name(), dir: dir}
		switch {
		case len(goFiles) > 0 && len(watFiles) > 0:
			return nil, fmt.Errorf("guest %s has both Go files and .wat files (%s): keep one kind per directory",
				e.Name(), strings.Join(watFiles, ", "))
		case len(watFiles) > 1:
			return nil, fmt.Errorf("guest %s has %d .wat files (%s): keep one per directory",
				e.Name(), len(watFiles), strings.Join(watFiles, ", "))
		case len(watFiles) == 1:
			src.wat = filepath.Join(dir, watFiles[0])
		case len(goFiles) == 0:
			return nil, fmt.Errorf("guest %s has neither Go files nor a .wat file", e.Name())
		}
		sources = append(sources, src)
	}
	return sources, nil
}

// command returns the command that builds src into out (an absolute path).
// Go guests are built as WASI reactors (c-shared) with paths trimmed and no
// VCS stamp, so the output depends only on the sources and the toolchain;
// symbols are kept, since a trap's stack trace needs function names. WAT
// guests keep their names for the same reason (--debug-names).
func command(ctx context.Context, root string, src source, out string) (*exec.Cmd, error) {
	if src.wat != "" {
		wat2wasm, err := exec.LookPath("wat2wasm")
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errNoWat2wasm, err)
		}
		cmd := exec.CommandContext(ctx, wat2wasm, "--debug-names", "-o", out, rel(root, src.wat))
		cmd.Dir = root
		return cmd, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("find the go command: %w", err)
	}
	cmd := exec.CommandContext(ctx, goBin, "build", "-buildmode=c-shared", "-trimpath", "-buildvcs=false",
		"-o", out, "./"+filepath.ToSlash(filepath.Join(guestsDir, src.name)))
	cmd.Dir = root
	// GOWASM and GOFLAGS could change the bytes (-ldflags=-s, say): pin them.
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOWASM=", "GOFLAGS=")
	return cmd, nil
}

// errNoWat2wasm is wrapped when wat2wasm (from WABT) is not installed.
var errNoWat2wasm = errors.New("wat2wasm not found: install WABT (apt-get install wabt, brew install wabt)")

// shellLine renders cmd for a person to paste into a shell from root.
func shellLine(cmd *exec.Cmd) string {
	var b strings.Builder
	if filepath.Base(cmd.Path) == "go" {
		b.WriteString("GOOS=wasip1 GOARCH=wasm ")
	}
	for i, a := range cmd.Args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i == 0 {
			a = filepath.Base(a)
		}
		b.WriteString(a)
	}
	return b.String()
}

// buildOne builds src into out, returning the command's output with the
// error when it fails.
func buildOne(ctx context.Context, root string, src source, out string) error {
	cmd, err := command(ctx, root, src, out)
	if err != nil {
		return fmt.Errorf("build %s: %w", src.name, err)
	}
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %s: %w\n%s", src.name, shellLine(cmd), err, bytes.TrimSpace(output))
	}
	return nil
}

// result is what building one source produced.
type result struct {
	src     source
	path    string // the .wasm file written
	size    int64
	took    time.Duration
	changed bool // the file's bytes differ from what was there before
}

// buildAll builds every source of root into outDir (created if needed),
// writing <name>.wasm for each. It replaces a file only when its bytes
// change, and atomically (a rename), so that a server watching outDir never
// reads half a module. It stops at the first failure.
func buildAll(ctx context.Context, root, outDir string, log io.Writer) ([]result, error) {
	sources, err := findSources(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", outDir, err)
	}
	tmp, err := os.MkdirTemp("", "rpchost-build-")
	if err != nil {
		return nil, fmt.Errorf("create a temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	var results []result
	for _, src := range sources {
		start := time.Now()
		built := filepath.Join(tmp, src.name+".wasm")
		if err := buildOne(ctx, root, src, built); err != nil {
			return results, err
		}
		data, err := os.ReadFile(built)
		if err != nil {
			return results, fmt.Errorf("build %s: %w", src.name, err)
		}
		r := result{src: src, path: filepath.Join(outDir, src.name+".wasm"), size: int64(len(data)), took: time.Since(start)}
		if r.changed, err = replaceFile(r.path, data); err != nil {
			return results, fmt.Errorf("build %s: %w", src.name, err)
		}
		if log != nil {
			state := "unchanged"
			if r.changed {
				state = "wrote"
			}
			fmt.Fprintf(log, "%-9s %s  %s, %s guest, built in %s\n", state, rel(root, r.path),
				humanSize(r.size), src.kind(), r.took.Round(10*time.Millisecond))
		}
		results = append(results, r)
	}
	return results, nil
}

// replaceFile makes path hold data, through a temporary file in the same
// directory and a rename. It leaves an identical file alone.
func replaceFile(path string, data []byte) (changed bool, err error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return false, err
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return false, err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return false, err
	}
	if err := f.Close(); err != nil {
		return false, err
	}
	return true, os.Rename(f.Name(), path)
}

// strayPlugins lists the .wasm files of outDir that no source builds.
func strayPlugins(outDir string, sources []source) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(outDir, "*.wasm"))
	if err != nil {
		return nil, err
	}
	var stray []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".wasm")
		if !slices.ContainsFunc(sources, func(s source) bool { return s.name == name }) {
			stray = append(stray, f)
		}
	}
	return stray, nil
}

// moduleRoot finds the directory holding go.mod, from dir upwards.
func moduleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or above it", dir)
		}
	}
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}
