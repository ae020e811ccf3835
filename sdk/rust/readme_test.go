package rust_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/host"
)

// readmeRustc returns a rustc with the wasm32-wasi standard library
// (WASI_RUSTC, else Debian's /usr/bin/rustc, as examples/build looks),
// skipping the test when there is none, or failing it under CI=true.
func readmeRustc(t *testing.T) string {
	rustc := os.Getenv("WASI_RUSTC")
	if rustc == "" {
		rustc = "/usr/bin/rustc"
	}
	sysroot, err := exec.Command(rustc, "--print", "sysroot").Output()
	if err == nil {
		_, err = os.Stat(filepath.Join(strings.TrimSpace(string(sysroot)), "lib", "rustlib", "wasm32-wasi", "lib"))
	}
	if err != nil {
		msg := "no rustc with the wasm32-wasi standard library (" + rustc + ": " + err.Error() +
			"): apt-get install rustc libstd-rust-dev-wasm32, or set WASI_RUSTC"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return rustc
}

// TestReadmeExample builds README's "Writing a procedure in Rust" example
// with README's own command, as a newcomer would paste it, and calls it.
func TestReadmeExample(t *testing.T) {
	rustc := readmeRustc(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Writing a procedure in Rust\n")
	if !ok {
		t.Fatal(`README has no section "Writing a procedure in Rust"`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	source := regexp.MustCompile("(?s)```rust\n(.*?)```").FindStringSubmatch(section)
	build := regexp.MustCompile(`(?s)\nrustc (.*?) -o plugins/hello.wasm\n`).FindStringSubmatch(section)
	if source == nil || build == nil {
		t.Fatal("the section lost its rust block or its `rustc ... -o plugins/hello.wasm` command")
	}

	// The layout README assumes: hello/ beside sdk/ in a clone.
	root := t.TempDir()
	for _, dir := range []string{"hello", "sdk/rust/src"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "hello", "lib.rs"), []byte(source[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("src/*.rs")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			err = os.WriteFile(filepath.Join(root, "sdk", "rust", f), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	plugins := filepath.Join(root, "plugins")
	if err := os.Mkdir(plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	args := append(strings.Fields(strings.ReplaceAll(build[1], "\\\n", " ")), "-o", "plugins/hello.wasm")
	cmd := exec.Command(rustc, args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rustc %s: %v\n%s", strings.Join(args, " "), err, out)
	}

	ctx := context.Background()
	h, err := host.New(ctx, host.NewConfig().WithPluginDir(plugins).WithWatch(false, 0, 0).
		WithStore(host.StoreConfig{Driver: "bbolt", Target: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	for _, want := range []string{"hello, Ada (visit 1)", "hello, Ada (visit 2)"} {
		if got, err := h.Call(ctx, "hello.greet", []any{"Ada"}); err != nil || got != want {
			t.Errorf("hello.greet(Ada) = %v, %v; want %q", got, err, want)
		}
	}
	for i := 0; i < 2; i++ { // a fault with the guest's own code, twice: the instance survives it
		if _, err := h.Call(ctx, "hello.greet", []any{""}); host.FaultOf(err) == nil || host.FaultOf(err).Code != 1 {
			t.Errorf("hello.greet(\"\"): %v, want fault 1", err)
		}
	}
}
