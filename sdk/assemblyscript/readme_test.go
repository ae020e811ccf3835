package assemblyscript_test

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

// TestReadmeExample builds the plugin of README's "Writing a procedure in
// AssemblyScript" with the compiler command the section gives, from a copy
// of the SDK in a temporary directory laid out like the repository, then
// serves it and makes the section's call: a newcomer pastes that text.
func TestReadmeExample(t *testing.T) {
	asc := requireASC(t)
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const heading = "\n## Writing a procedure in AssemblyScript\n"
	start := strings.Index(string(readme), heading)
	if start < 0 {
		t.Fatalf("README.md has no section %q", strings.TrimSpace(heading))
	}
	section := string(readme[start+len(heading):])
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var ts, ascLine, python string
	for _, m := range regexp.MustCompile("(?s)```([a-z]*)\n(.*?)```").FindAllStringSubmatch(section, -1) {
		switch {
		case m[1] == "ts":
			ts = m[2]
		case m[1] == "sh" && strings.Contains(m[2], "node_modules/.bin/asc"):
			ascLine = strings.ReplaceAll(m[2], "\\\n", " ")
		case m[1] == "python":
			python = m[2]
		}
	}
	if ts == "" || ascLine == "" || python == "" {
		t.Fatalf("the section lacks its ts, asc or python block:\n%s", section)
	}

	args := strings.Fields(ascLine)
	if args[0] != "sdk/assemblyscript/node_modules/.bin/asc" {
		t.Fatalf("the build command starts with %q", args[0])
	}
	root := buildGuest(t, asc, "greet", ts, args[1:])

	h, err := host.New(context.Background(), host.NewConfig().WithPluginDir(filepath.Join(root, "plugins")).WithWatch(false, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(context.Background())
	call := regexp.MustCompile(`print\(s\.greet\.greet\("(\w+)"\)\)\s+# (.*)`).FindStringSubmatch(python)
	if call == nil {
		t.Fatalf("the python block does not call greet.greet as this test expects:\n%s", python)
	}
	got, err := h.Call(context.Background(), "greet.greet", []any{call[1]})
	if err != nil || got != call[2] {
		t.Fatalf("greet.greet(%q) = %v, %v; the README says %q", call[1], got, err, call[2])
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildGuest lays out a copy of the SDK in a temporary root, as the
// repository lays it out, with src as sdk/assemblyscript/examples/<name>/index.ts,
// and runs asc there with args. It returns the root.
func buildGuest(t *testing.T, asc, name, src string, args []string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "sdk", "assemblyscript")
	sdk, err := filepath.Glob(filepath.Join("assembly", "*.ts"))
	if err != nil || len(sdk) == 0 {
		t.Fatalf("no SDK sources: %v", err)
	}
	for _, f := range sdk {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), data)
	}
	writeFile(t, filepath.Join(dir, "examples", name, "index.ts"), []byte(src))
	nm, _ := filepath.Abs("node_modules")
	if err := os.Symlink(nm, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(asc, args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("asc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return root
}

// requireASC returns the SDK's asc, skipping the test when it is not
// installed (failing under CI=true).
func requireASC(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: builds a guest")
	}
	asc, err := filepath.Abs(filepath.Join("node_modules", ".bin", "asc"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = os.Stat(asc)
	if err == nil {
		_, err = exec.LookPath("node") // asc is a node script
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v: install Node.js and run `npm ci --prefix sdk/assemblyscript` (CI=true: not skipping)", err)
		}
		t.Skipf("skipping: %v: install Node.js and run `npm ci --prefix sdk/assemblyscript`", err)
	}
	return asc
}
