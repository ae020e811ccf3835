//go:build !wasip1

package abitest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/host"
)

// sdkDir is the SDK module's directory, abi/ at the repository's root.
func sdkDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "abi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("the SDK is not a module of its own: %v", err)
	}
	return dir
}

// run runs a command in dir with nothing to download: GOPROXY=off makes
// any module that is not on this machine an error rather than a fetch,
// GOWORK=off keeps a go.work of the developer's out of it, GOTOOLCHAIN=local
// forbids switching toolchains, and -mod=mod lets go.mod be updated.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s (in %s): %v\n%s", strings.Join(cmd.Args, " "), dir, err, out)
	}
	return string(out)
}

// readmeBlocks returns the fenced code blocks of README's section that
// starts with heading, each as its text.
func readmeBlocks(t *testing.T, heading string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "\n## "+heading+"\n")
	if start < 0 {
		t.Fatalf("README.md has no section %q", heading)
	}
	section := readme[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```[a-z]*\n(.*?)```").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// A plugin author's module, outside this repository, builds against the
// SDK module alone, as README's "Using the Go SDK from your own module"
// says, run as written: README's greet program (from "Writing a procedure
// in Go") in a new directory beside a clone of this repository (a link to
// it), then the section's commands, with nothing to download. Its module
// graph holds the SDK and nothing of the server, and the module it builds
// is served.
func TestPluginOutsideTheRepository(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a wasm module")
	}
	sdk := sdkDir(t)
	goBlocks := readmeBlocks(t, "Writing a procedure in Go")
	if len(goBlocks) == 0 || !strings.Contains(goBlocks[0], `guest.Register("greet"`) {
		t.Fatalf("README's Writing a procedure in Go no longer starts with the greet program this test calls")
	}
	blocks := readmeBlocks(t, "Using the Go SDK from your own module")
	if len(blocks) != 2 {
		t.Fatalf("the section has %d code blocks, this test knows 2 (once published, until then)", len(blocks))
	}
	work := t.TempDir()
	if err := os.Symlink(filepath.Dir(sdk), filepath.Join(work, "rpchost")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "myplugin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goBlocks[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(blocks[1]), "\n") {
		t.Logf("$ %s", line)
		run(t, dir, nil, sh, "-c", line)
	}

	mods := strings.Fields(run(t, dir, nil, "go", "list", "-m", "-f", "{{.Path}}", "all"))
	if want := []string{"example.com/myplugin", "github.com/rpchost/rpchost/abi"}; !slices.Equal(mods, want) {
		t.Errorf("the plugin's module graph is %v, want %v: the SDK must bring nothing of the server", mods, want)
	}

	plugins := t.TempDir()
	if err := os.Rename(filepath.Join(dir, "myplugin.wasm"), filepath.Join(plugins, "myplugin.wasm")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h, err := host.New(ctx, host.NewConfig().WithPluginDir(plugins).WithWatch(false, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	got, err := h.Call(ctx, "myplugin.greet", []any{"outside"})
	if err != nil || got != "hello, outside" {
		t.Fatalf("myplugin.greet(outside) = %v, %v; want hello, outside", got, err)
	}
	help, err := h.Call(ctx, "system.methodHelp", []any{"myplugin.greet"})
	if err != nil || help != "Says hello to someone." {
		t.Errorf("system.methodHelp(myplugin.greet) = %v, %v", help, err)
	}
	if _, err := h.Call(ctx, "myplugin.greet", nil); host.FaultOf(err).Code != -32602 {
		t.Errorf("myplugin.greet() = %v, want a -32602 fault", err)
	}
}

// The SDK module depends on the standard library alone, its tests
// included, on the host and inside wasm: go.mod requires nothing, and
// every package its packages and tests import is in std or in the SDK.
func TestSDKModuleNeedsOnlyTheStandardLibrary(t *testing.T) {
	sdk := sdkDir(t)
	if mods := strings.Fields(run(t, sdk, nil, "go", "list", "-m", "-f", "{{.Path}}", "all")); !slices.Equal(mods, []string{"github.com/rpchost/rpchost/abi"}) {
		t.Errorf("the SDK's module graph is %v, want the SDK alone", mods)
	}
	// One line per package, test variants included: its import path and
	// the module that provides it.
	const format = `{{if not .Standard}}{{.ImportPath}}|{{with .Module}}{{.Path}}{{end}}{{"\n"}}{{end}}`
	for _, env := range [][]string{nil, {"GOOS=wasip1", "GOARCH=wasm"}} {
		out := run(t, sdk, env, "go", "list", "-deps", "-test", "-f", format, "./...")
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if pkg, mod, _ := strings.Cut(line, "|"); mod != "github.com/rpchost/rpchost/abi" {
				t.Errorf("%v: the SDK (or a test of it) imports %s from %q, outside the standard library", env, pkg, mod)
			}
		}
	}
}
