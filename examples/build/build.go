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

// guestsDir and pluginsDir are where the served guests' sources and built
// modules live, relative to the module root.
const (
	guestsDir  = "examples/guests"
	pluginsDir = "plugins"
)

// A collection is a directory of guest sources and the directory their
// modules are built into, both relative to the module root.
type collection struct{ src, out string }

// collections are every guest this command builds: the plugins served by
// default; the modules of README's deploy walkthrough, the examples of each
// language's SDK, which sit beside their sources so that a default server
// does not serve them; and the conformance suite's guest in each language
// (conformance/guests/<language> builds conformance/<language>.wasm).
var collections = []collection{
	{guestsDir, pluginsDir},
	{"examples/deploy", "examples/deploy"},
	{"sdk/c/examples", "sdk/c/examples"},
	{"sdk/rust/examples", "sdk/rust/examples"},
	{"sdk/assemblyscript/examples", "sdk/assemblyscript/examples"},
	{"conformance/guests", "conformance"},
}

// A source is one guest: a directory of a collection holding the source
// files of one language (a Go main package built with the Go SDK, one
// hand-written .wat file, ...). It builds to <collection out>/<name>.wasm.
type source struct {
	name  string    // the directory's name, and the module's file name
	dir   string    // absolute
	lang  *language // nil means Go
	files []string  // absolute paths of its source files, sorted
	out   string    // the directory its module is committed in, relative to the root
}

// language is the source's language; a source made by hand in a test
// without one is a Go package.
func (s source) language() *language {
	if s.lang == nil {
		return &goLanguage
	}
	return s.lang
}

func (s source) kind() string { return s.language().name }

// committed is the path of src's module in the repository.
func (s source) committed(root string) string {
	return filepath.Join(root, s.out, s.name+".wasm")
}

// findSources lists the guests of every collection under root, sorted by
// name within each. A directory with both Go files and a .wat file, more
// than one .wat file, or neither is an error: which one would build is not
// clear. A collection whose directory does not exist has no guests.
func findSources(root string) ([]source, error) {
	var sources []source
	for _, c := range collections {
		found, err := findIn(root, c)
		if err != nil {
			return nil, err
		}
		sources = append(sources, found...)
	}
	return sources, nil
}

func findIn(root string, c collection) ([]source, error) {
	base := filepath.Join(root, c.src)
	entries, err := os.ReadDir(base)
	if errors.Is(err, os.ErrNotExist) && c.src != guestsDir {
		return nil, nil
	}
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
		src := source{name: e.Name(), dir: dir, out: c.out}
		byLang := map[*language][]string{}
		for _, f := range files {
			if f.IsDir() {
				continue
			}
			for _, l := range languages {
				if l.owns(f.Name()) {
					byLang[l] = append(byLang[l], f.Name())
					break
				}
			}
		}
		var found []*language // in the order of languages, so messages do not depend on the listing
		for _, l := range languages {
			if byLang[l] != nil {
				found = append(found, l)
			}
		}
		switch {
		case len(found) > 1:
			return nil, fmt.Errorf("guest %s has %s files and %s files (%s): keep one language per directory",
				e.Name(), found[0].name, found[1].name, strings.Join(byLang[found[1]], ", "))
		case len(found) == 0:
			return nil, fmt.Errorf("guest %s has no source file of a language this command builds (%s)",
				e.Name(), languageNames())
		case found[0].single && len(byLang[found[0]]) > 1:
			return nil, fmt.Errorf("guest %s has %d %s files (%s): keep one per directory",
				e.Name(), len(byLang[found[0]]), found[0].name, strings.Join(byLang[found[0]], ", "))
		}
		src.lang = found[0]
		for _, f := range byLang[src.lang] {
			src.files = append(src.files, filepath.Join(dir, f))
		}
		sources = append(sources, src)
	}
	return sources, nil
}

// selectSources keeps the sources named in names (all of them when names
// is empty). A name is a guest's name ("records"), which must then be
// unique, or its module's path ("sdk/c/examples/add.wasm") or source
// directory ("sdk/c/examples/add"), relative to the module root; a name no
// source has, or a bare name several guests share, is an error listing the
// choices.
func selectSources(root string, sources []source, names []string) ([]source, error) {
	if len(names) == 0 {
		return sources, nil
	}
	var picked []source
	for _, n := range names {
		var matches []source
		for _, s := range sources {
			if s.matches(root, n) {
				matches = append(matches, s)
			}
		}
		switch len(matches) {
		case 0:
			known := make([]string, len(sources))
			for j, s := range sources {
				known[j] = s.name
			}
			return nil, fmt.Errorf("no guest named %q; the guests are %s", n, strings.Join(known, ", "))
		case 1:
		default:
			paths := make([]string, len(matches))
			for j, s := range matches {
				paths[j] = filepath.ToSlash(rel(root, s.dir))
			}
			return nil, fmt.Errorf("%d guests are named %q: name one by its directory (%s)", len(matches), n, strings.Join(paths, ", "))
		}
		if !slices.ContainsFunc(picked, func(s source) bool { return s.dir == matches[0].dir }) {
			picked = append(picked, matches[0])
		}
	}
	return picked, nil
}

// matches reports whether name names s: its name, its directory or its
// module's path, relative to root.
func (s source) matches(root, name string) bool {
	name = filepath.Clean(filepath.FromSlash(name))
	if !strings.ContainsRune(name, filepath.Separator) {
		return s.name == strings.TrimSuffix(name, ".wasm")
	}
	return name == rel(root, s.dir) || name == rel(root, s.committed(root))
}

// command returns the command that builds src into out (an absolute path).
func command(ctx context.Context, root string, src source, out string) (*exec.Cmd, error) {
	return src.language().command(ctx, root, src, out)
}

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
	changed bool  // the file's bytes differ from what was there before
	skipped bool  // a tool it needs is missing (err says which)
	err     error // why it was skipped or failed; nil when built
}

// buildAll builds each source into its collection's directory, or into
// outDir when it is not empty (created if needed). It replaces a file only
// when its bytes change, and atomically (a rename), so that a server
// watching the directory never reads half a module. A failure does not stop
// the others: a guest whose toolchain is missing (a .wat guest without
// wat2wasm) is skipped, and the Go guests still build. Each source has a result, in order.
func buildAll(ctx context.Context, root string, sources []source, outDir string, log io.Writer) []result {
	tmp, err := os.MkdirTemp("", "rpchost-build-")
	if err != nil {
		r := make([]result, len(sources))
		for i, src := range sources {
			r[i] = result{src: src, err: fmt.Errorf("create a temporary directory: %w", err)}
		}
		return r
	}
	defer os.RemoveAll(tmp)
	results := make([]result, 0, len(sources))
	for _, src := range sources {
		r := buildTo(ctx, root, src, outDir, tmp)
		if log != nil {
			switch {
			case r.skipped:
				fmt.Fprintf(log, "%-9s %s  %s guest: %v\n", "skipped", rel(root, r.path), src.kind(), r.err)
			case r.err != nil:
				fmt.Fprintf(log, "%-9s %s  %v\n", "FAILED", rel(root, r.path), r.err)
			default:
				state := "unchanged"
				if r.changed {
					state = "wrote"
				}
				fmt.Fprintf(log, "%-9s %s  %s, %s guest, built in %s\n", state, rel(root, r.path),
					humanSize(r.size), src.kind(), r.took.Round(10*time.Millisecond))
			}
		}
		results = append(results, r)
		if ctx.Err() != nil {
			break
		}
	}
	return results
}

// buildTo builds one source through tmp into its place.
func buildTo(ctx context.Context, root string, src source, outDir, tmp string) result {
	start := time.Now()
	r := result{src: src, path: src.committed(root)}
	if outDir != "" {
		r.path = filepath.Join(outDir, src.name+".wasm")
	}
	built := filepath.Join(tmp, src.name+".wasm")
	if err := buildOne(ctx, root, src, built); err != nil {
		r.err, r.skipped = err, isToolMissing(err)
		return r
	}
	data, err := os.ReadFile(built)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(r.path), 0o755)
	}
	if err == nil {
		r.changed, err = replaceFile(r.path, data)
	}
	if err != nil {
		r.err = fmt.Errorf("build %s: %w", src.name, err)
		return r
	}
	r.size, r.took = int64(len(data)), time.Since(start)
	return r
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

// strayModules lists the .wasm files of each collection's directory that
// no source of that collection builds.
func strayModules(root string, sources []source) ([]string, error) {
	var stray []string
	for _, c := range collections {
		files, err := filepath.Glob(filepath.Join(root, c.out, "*.wasm"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".wasm")
			if !slices.ContainsFunc(sources, func(s source) bool { return s.name == name && s.out == c.out }) {
				stray = append(stray, f)
			}
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
