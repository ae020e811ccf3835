package rpchost_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// README's "Deploying a procedure without restarting", run as written: its
// code blocks are read from README.md, so the text and this test cannot
// drift apart. The commands run in a directory laid out like a clone
// (plugins/ is the server's plugin directory, examples/ the repository's),
// with `go run ./cmd/rpchost` standing for the built binary and
// 127.0.0.1:8088 for the test server's address.

// readmeBlocks returns the fenced code blocks of README's section that
// starts with heading, each as its lines.
func readmeBlocks(t *testing.T, heading string) [][]string {
	t.Helper()
	readme := string(readFile(t, "README.md"))
	start := strings.Index(readme, "\n## "+heading+"\n")
	if start < 0 {
		t.Fatalf("README.md has no section %q", heading)
	}
	section := readme[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var blocks [][]string
	for _, m := range regexp.MustCompile("(?s)```[a-z]*\n(.*?)```").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, strings.Split(strings.TrimRight(m[1], "\n"), "\n"))
	}
	return blocks
}

// command is a README line without its comment.
func command(line string) string {
	if i := strings.Index(line, "   #"); i >= 0 {
		line = line[:i]
	}
	return strings.TrimSpace(line)
}

func TestReadmeDeployWalkthrough(t *testing.T) {
	blocks := readmeBlocks(t, "Deploying a procedure without restarting")
	if len(blocks) != 4 {
		t.Fatalf("the deploy section has %d code blocks, this test knows 4 (copy, CLI, Python, curl)", len(blocks))
	}
	work := t.TempDir()
	plugins := filepath.Join(work, "plugins")
	if err := os.Mkdir(plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"add", "validator1"} {
		writeFile(t, filepath.Join(plugins, p+".wasm"), readFile(t, "plugins/"+p+".wasm"))
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "examples"), filepath.Join(work, "examples")); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, plugins, "RPCHOST_ADMIN_TOKEN=s3cret")
	c := dial(t, s.URL)
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL, "http://"), "/")
	bin := rpchostBinary(t)

	// sh runs one README line from the work directory and returns its output.
	sh := func(line string) string {
		t.Helper()
		cmdline := strings.ReplaceAll(command(line), "go run ./cmd/rpchost", "'"+bin+"'")
		cmdline = strings.ReplaceAll(cmdline, "127.0.0.1:8088", addr)
		cmd := exec.Command("sh", "-c", cmdline)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "RPCHOST_SERVER="+s.URL, "RPCHOST_ADMIN_TOKEN=s3cret")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		t.Logf("$ %s\n%s", command(line), out)
		return string(out)
	}
	wantLines := func(block []string, prefixes ...string) {
		t.Helper()
		if len(block) != len(prefixes) {
			t.Fatalf("block of %d lines, this test knows %d:\n%s", len(block), len(prefixes), strings.Join(block, "\n"))
		}
		for i, p := range prefixes {
			if !strings.HasPrefix(command(block[i]), p) {
				t.Fatalf("line %d is %q, this test knows %q", i+1, block[i], p)
			}
		}
	}
	// Every other call keeps being answered throughout.
	checkAdd := func() {
		t.Helper()
		if got := call(t, c, "add", 3, 4); got != int64(7) {
			t.Errorf("add(3, 4) = %v", got)
		}
	}

	copyIn := blocks[0]
	wantLines(copyIn, "cp examples/deploy/up.wasm plugins/", "cp examples/deploy/up-v2.wasm plugins/up.wasm", "rm plugins/up.wasm")
	sh(copyIn[0])
	t.Logf("copied in: up.answer = 1 after %v", within(t, c, "up.answer", int64(1)))
	checkAdd()
	sh(copyIn[1])
	t.Logf("replaced: up.answer = 2 after %v", within(t, c, "up.answer", int64(2)))
	sh(copyIn[2])
	t.Logf("removed: -32601 after %v", within(t, c, "up.answer", nil))
	checkAdd()

	cli := blocks[1]
	wantLines(cli, "RPCHOST_ADMIN_TOKEN=s3cret ", "export RPCHOST_ADMIN_TOKEN=s3cret",
		"go run ./cmd/rpchost upload examples/deploy/up.wasm", "go run ./cmd/rpchost list",
		"go run ./cmd/rpchost call up.answer", "go run ./cmd/rpchost call add 3 4",
		"go run ./cmd/rpchost call validator1.easyStructTest", "go run ./cmd/rpchost rm up")
	// Lines 1 and 2 are the server, started above with the same token (how
	// README starts it in the background is not this test's concern), and
	// the token in the environment, which sh passes.
	if out := sh(cli[2]); !strings.Contains(out, "uploaded up") {
		t.Errorf("upload printed %q", out)
	}
	if out := sh(cli[3]); !regexp.MustCompile(`(?m)^up\s`).MatchString(out) {
		t.Errorf("list printed no line for up:\n%s", out)
	}
	for i, want := range map[int]string{4: "1", 5: "7", 6: "6"} {
		if out := sh(cli[i]); strings.TrimSpace(out) != want {
			t.Errorf("%s printed %q, want %s", command(cli[i]), out, want)
		}
	}
	if out := sh(cli[7]); !strings.Contains(out, "removed up") {
		t.Errorf("rm printed %q", out)
	}
	within(t, c, "up.answer", nil)
	if _, err := os.Stat(filepath.Join(plugins, "up.wasm")); !os.IsNotExist(err) {
		t.Errorf("rm up left plugins/up.wasm: %v", err)
	}

	python := blocks[2]
	wantLines(python, "admin = xmlrpc.client.ServerProxy(", "admin.plugins.upload(\"up\", open(\"examples/deploy/up.wasm\"",
		"admin.plugins.remove(\"up\")", "xmlrpc.client.ServerProxy(")
	py := requireTool(t, "python3")
	script := "import xmlrpc.client\n" + strings.ReplaceAll(strings.Join(python, "\n"), "127.0.0.1:8088", addr) + "\n"
	cmd := exec.Command(py, "-c", script)
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README's Python admin example: %v\n%s", err, out)
	}
	within(t, c, "up.answer", nil)

	curl := blocks[3]
	wantLines(curl, "curl -X PUT", "curl -X DELETE", "curl http://127.0.0.1:8088/plugins")
	requireTool(t, "curl")
	sh(curl[0] + " --fail-with-body --silent --show-error")
	if got := call(t, c, "up.answer"); got != int64(2) {
		t.Errorf("after the PUT of up-v2.wasm up.answer = %v, want 2", got)
	}
	sh(curl[1] + " --fail-with-body --silent --show-error")
	within(t, c, "up.answer", nil)
	if out := sh(curl[2] + " --fail-with-body --silent --show-error"); !strings.Contains(out, `"add"`) || strings.Contains(out, `"up"`) {
		t.Errorf("GET /plugins printed %s", out)
	}
	checkAdd()
}

// The CLI names an upload after its file; a file name that is not a plugin
// name (my-plugin.wasm) is refused with the rule and --name my_plugin,
// and --name fixes it. A name differing only in case from a loaded plugin
// is refused too.
func TestCLIUploadOfABadFileNameSuggestsName(t *testing.T) {
	plugins := t.TempDir()
	s := startServer(t, plugins, "RPCHOST_ADMIN_TOKEN=s3cret")
	file := filepath.Join(t.TempDir(), "my-plugin.wasm")
	writeFile(t, file, readFile(t, "examples/deploy/up.wasm"))
	run := func(args ...string) (string, error) {
		cmd := exec.Command(rpchostBinary(t), args...)
		cmd.Env = append(os.Environ(), "RPCHOST_SERVER="+s.URL, "RPCHOST_ADMIN_TOKEN=s3cret")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("upload", file)
	if err == nil || !strings.Contains(out, "only A-Z a-z 0-9 _ are allowed") || !strings.Contains(out, "--name my_plugin") {
		t.Errorf("upload my-plugin.wasm: %v\n%s\nwant the rule and the suggestion --name my_plugin", err, out)
	}
	if out, err := run("upload", "--name", "my_plugin", file); err != nil || !strings.Contains(out, "uploaded my_plugin") {
		t.Errorf("upload --name my_plugin: %v\n%s", err, out)
	}
	out, err = run("upload", "--name", "MY_plugin", file)
	if err == nil || !strings.Contains(out, "differs only in case") {
		t.Errorf("upload --name MY_plugin beside my_plugin: %v\n%s", err, out)
	}
	if got := dirEntries(t, plugins); len(got) != 1 || got[0] != "my_plugin.wasm" {
		t.Errorf("plugin directory holds %v", got)
	}
}
