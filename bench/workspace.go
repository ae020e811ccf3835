package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// workspace is what the harness builds and prepares before measuring: the
// binaries, the sum plugin, and a temporary directory for plugin
// directories and compilation caches, removed at the end. With -baseline,
// the baseline revision's tree is extracted and built there too.
type workspace struct {
	root    string // the module root
	tmp     string
	cur     *build // the working tree: what is measured
	base    *build // the baseline revision, or nil without -baseline
	ceiling string // the built ceiling server
	python  string // python3, or "" when missing
	baseDir string // the baseline servers' working directory
	builds  []string
	source  string   // the commit measured, and whether the tree had changes
	goEnv   []string // GOMAXPROCS for the Go servers, when set
}

// newWorkspace finds the module root and builds everything into a new
// temporary directory; baseline, when not "", is the git revision to build
// beside it.
func newWorkspace(ctx context.Context, serverProcs int, baseline string, logf func(string, ...any)) (*workspace, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return nil, errors.New("run the harness inside the rpchost module (go run ./bench from the repository)")
	}
	root := filepath.Dir(gomod)
	tmp, err := os.MkdirTemp("", "rpchost-bench-")
	if err != nil {
		return nil, err
	}
	w := &workspace{root: root, tmp: tmp, source: describeSource(ctx, root), cur: &build{name: "rpchost", root: root}}
	if serverProcs > 0 {
		w.goEnv = []string{"GOMAXPROCS=" + strconv.Itoa(serverProcs)}
	}
	w.python, _ = exec.LookPath("python3")
	builds := buildsOf(w.cur, filepath.Join(tmp, "bin"), true)
	w.cur.rpchost, w.cur.sumWasm, w.ceiling = builds[0].out, builds[1].out, builds[2].out
	if baseline != "" {
		src := filepath.Join(tmp, "baseline-src")
		logf("extracting the baseline %s into %s", baseline, src)
		commit, err := extractRevision(ctx, root, baseline, src)
		if err != nil {
			return nil, errors.Join(err, w.close())
		}
		w.base = &build{name: "baseline", rev: baseline, root: src}
		// A working directory of its own: the default store directory,
		// data/, is relative to it, and bbolt allows one server per
		// file, so the baseline's servers and the working tree's,
		// running side by side, must not share it.
		w.baseDir = filepath.Join(tmp, "baseline-run")
		if err := os.Mkdir(w.baseDir, 0o755); err != nil {
			return nil, errors.Join(err, w.close())
		}
		if commit != baseline {
			w.base.rev += " (" + commit + ")"
		}
		bb := buildsOf(w.base, filepath.Join(tmp, "bin", "baseline"), false)
		w.base.rpchost, w.base.sumWasm = bb[0].out, bb[1].out
		builds = append(builds, bb...)
	}
	if w.builds, err = runBuilds(ctx, builds, logf); err != nil {
		return nil, errors.Join(err, w.close())
	}
	return w, nil
}

// all returns the working tree's build and, with -baseline, the
// baseline's, in the order their targets are measured.
func (w *workspace) all() []*build {
	if w.base == nil {
		return []*build{w.cur}
	}
	return []*build{w.cur, w.base}
}

// describeSource names the commit of root and counts uncommitted changes,
// with read-only git commands; "unknown" without git.
func describeSource(ctx context.Context, root string) string {
	rev, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	desc := "commit " + strings.TrimSpace(string(rev))
	// --no-optional-locks: do not even refresh the index.
	status, err := exec.CommandContext(ctx, "git", "--no-optional-locks", "-C", root, "status", "--porcelain").Output()
	if err == nil {
		if n := strings.Count(string(status), "\n"); n > 0 {
			desc += fmt.Sprintf(" plus %d uncommitted changed or new paths", n)
		}
	}
	return desc
}

func (w *workspace) close() error { return os.RemoveAll(w.tmp) }

// shipped returns the path of a plugin committed in the working tree,
// plugins/<name>.wasm.
func (w *workspace) shipped(name string) string { return w.cur.shipped(name) }

// dir returns a new empty directory under the workspace.
func (w *workspace) dir(prefix string) (string, error) {
	return os.MkdirTemp(w.tmp, prefix+"-")
}

// pluginDir makes a plugin directory holding name.wasm for each entry
// (plugin name → source file). The files are dated a minute back, as in a
// directory deployed earlier: rpchost re-reads files modified in the last
// two seconds on every rescan, which is not what a running server does.
func (w *workspace) pluginDir(prefix string, files map[string]string) (string, error) {
	dir, err := w.dir(prefix)
	if err != nil {
		return "", err
	}
	for name, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			return "", err
		}
		if err := writeDated(filepath.Join(dir, name+".wasm"), b); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// writeDated writes a file and sets its times a minute back.
func writeDated(path string, b []byte) error {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	past := time.Now().Add(-time.Minute)
	return os.Chtimes(path, past, past)
}

// distinct returns wasm with a custom section appended that holds tag:
// the module behaves the same but its bytes, hence its hash, differ, so
// wazero compiles and caches it as a module of its own instead of sharing
// the machine code of identical copies.
func distinct(wasm []byte, tag string) []byte {
	name := "rpchost-bench"
	var payload []byte
	payload = binary.AppendUvarint(payload, uint64(len(name)))
	payload = append(payload, name...)
	payload = append(payload, tag...)
	out := append(wasm[:len(wasm):len(wasm)], 0) // section id 0: custom
	out = binary.AppendUvarint(out, uint64(len(payload)))
	return append(out, payload...)
}

// rpchostSpec starts the built rpchost on a free loopback port. cacheDir
// is RPCHOST_CACHE_DIR ("off" disables the cache). The log level stays at
// info: the listening line is an info line, and rpchost logs nothing per
// request at info (only failures, at warn and error).
func (w *workspace) rpchostSpec(name, pluginDir, cacheDir string) spec {
	return w.rpchostSpecOf(w.cur, name, pluginDir, cacheDir)
}

// rpchostSpecOf is rpchostSpec for the server of build b.
func (w *workspace) rpchostSpecOf(b *build, name, pluginDir, cacheDir string) spec {
	dir := w.tmp // no config.yaml here, so only the defaults apply
	if b == w.base {
		dir = w.baseDir
	}
	return spec{
		name: name,
		path: b.rpchost,
		args: []string{"serve", "--listen", "127.0.0.1:0", "--plugins", pluginDir},
		env:  append([]string{"RPCHOST_CACHE_DIR=" + cacheDir, "RPCHOST_LOG_LEVEL=info"}, w.goEnv...),
		dir:  dir,
	}
}

func (w *workspace) ceilingSpec() spec {
	return spec{name: "ceiling", path: w.ceiling, args: []string{"--listen", "127.0.0.1:0"}, env: w.goEnv, dir: w.tmp}
}

// pythonSpec starts bench/classic_server.py, with HTTP/1.1 keep-alive or
// with the library's HTTP/1.0 default.
func (w *workspace) pythonSpec(keepAlive bool) spec {
	s := spec{name: "python", path: w.python, args: []string{filepath.Join(w.root, "bench", "classic_server.py"), "0"}, dir: w.tmp}
	if keepAlive {
		s.name = "python-keepalive"
		s.args = append(s.args, "--keepalive")
	}
	return s
}
