package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// build is one version of rpchost the harness measures: the working tree
// ("rpchost", what is being measured) or, with -baseline REV, the source of
// another git revision ("baseline"), each with the server binary, the sum
// plugin built from its own SDK, and its own committed plugins/*.wasm.
type build struct {
	name    string // "rpchost" or "baseline": the prefix of its targets
	rev     string // the baseline's revision as given and resolved ("e401e67 (e401e67…)"); "" for the working tree
	root    string // its source tree, with go.mod and plugins/
	rpchost string // the built server
	sumWasm string // bench/guests/sum of this tree, built for wasip1
}

// shipped returns the path of a plugin committed in this build's tree,
// plugins/<name>.wasm.
func (b *build) shipped(name string) string {
	return filepath.Join(b.root, "plugins", name+".wasm")
}

// goBuild is one `go build` of a workspace.
type goBuild struct {
	out  string   // path of the result
	pkg  string   // package, relative to dir
	dir  string   // the module root it is built in
	env  []string // added to the environment
	args []string // flags before -o
}

// command is the go command line of gb.
func (gb goBuild) command() []string {
	return append(append(append([]string{"go", "build"}, gb.args...), "-o", gb.out), gb.pkg)
}

// buildsOf lists what the harness builds from a tree into bin: the server
// and the sum plugin; the working tree adds the ceiling, which does not
// depend on rpchost's code. The baseline is built from its own tree, so its
// sum plugin links its own SDK.
func buildsOf(b *build, bin string, ceiling bool) []goBuild {
	wasm := []string{"GOOS=wasip1", "GOARCH=wasm"}
	out := []goBuild{
		// -trimpath for both, so that they are built alike and the
		// baseline's packages, extracted to a new directory every run,
		// still hit the build cache (without it the directory is part
		// of a package's cache key).
		{out: filepath.Join(bin, "rpchost"), pkg: "./cmd/rpchost", dir: b.root, args: []string{"-trimpath"}},
		{out: filepath.Join(bin, "sum.wasm"), pkg: "./bench/guests/sum", dir: b.root, env: wasm, args: []string{"-buildmode=c-shared", "-trimpath"}},
	}
	if ceiling {
		out = append(out, goBuild{out: filepath.Join(bin, "ceiling"), pkg: "./bench/ceiling", dir: b.root})
	}
	return out
}

// checkRev refuses a -baseline value git would read as an option.
func checkRev(rev string) error {
	if rev == "" || strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, " \t\n") {
		return fmt.Errorf("-baseline: %q is not a git revision", rev)
	}
	return nil
}

// extractCommands are the two commands piped into each other that write
// the tree of rev, as committed, into dst: git archive, then tar. An
// archive rather than `git worktree add` leaves the repository's
// administrative files alone, and it goes with the temporary directory.
func extractCommands(root, rev, dst string) (archive, untar []string) {
	return []string{"git", "-C", root, "archive", "--format=tar", rev + "^{tree}"},
		[]string{"tar", "-x", "-C", dst}
}

// extractRevision writes rev's tree into dst and returns the commit it
// names.
func extractRevision(ctx context.Context, root, rev, dst string) (string, error) {
	if err := checkRev(rev); err != nil {
		return "", err
	}
	commit, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--verify", "--short", rev+"^{commit}").Output()
	if err != nil {
		return "", fmt.Errorf("-baseline: %q is not a commit of %s: %w", rev, root, err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	a, t := extractCommands(root, rev, dst)
	archive := exec.CommandContext(ctx, a[0], a[1:]...)
	untar := exec.CommandContext(ctx, t[0], t[1:]...)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return "", err
	}
	untar.Stdin = pipe
	var archiveErr, untarErr strings.Builder
	archive.Stderr, untar.Stderr = &archiveErr, &untarErr
	if err := untar.Start(); err != nil {
		return "", err
	}
	if err := archive.Run(); err != nil {
		return "", errors.Join(fmt.Errorf("%s: %w: %s", strings.Join(a, " "), err, archiveErr.String()), untar.Wait())
	}
	if err := untar.Wait(); err != nil {
		return "", fmt.Errorf("%s: %w: %s", strings.Join(t, " "), err, untarErr.String())
	}
	return strings.TrimSpace(string(commit)), nil
}

// runBuilds runs every build and returns a line per build for the results.
func runBuilds(ctx context.Context, builds []goBuild, logf func(string, ...any)) ([]string, error) {
	var lines []string
	for _, gb := range builds {
		c := gb.command()
		cmd := exec.CommandContext(ctx, c[0], c[1:]...)
		cmd.Dir = gb.dir
		cmd.Env = append(os.Environ(), gb.env...)
		start := time.Now()
		if msg, err := cmd.CombinedOutput(); err != nil {
			return lines, fmt.Errorf("in %s: %s: %w\n%s", gb.dir, strings.Join(c, " "), err, msg)
		}
		desc := strings.TrimSpace(fmt.Sprintf("%s %s (%v)", strings.Join(gb.env, " "), strings.Join(c, " "), time.Since(start).Round(time.Millisecond)))
		lines = append(lines, desc)
		logf("built %s", desc)
	}
	return lines, nil
}
