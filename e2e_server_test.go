package rpchost_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/testutil"
)

// The end-to-end tests run the real binary, built once, on a free port.

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	// cacheDir is the compilation cache the servers of one test run
	// share: without it every server compiles every Go plugin again
	// (seconds each), which alone took the package past go test's
	// ten-minute limit on a 2-core machine.
	cacheDir string
)

func rpchostBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rpchost-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "rpchost")
		cacheDir = filepath.Join(dir, "cache")
		out, err := exec.Command("go", "build", "-o", binary, "./cmd/rpchost").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/rpchost: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// server is a running rpchost process.
type server struct {
	URL  string
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
}

// Logs returns what the server has logged so far.
func (s *server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

var listeningRE = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startServer runs rpchost on 127.0.0.1:0 over pluginDir with extra
// environment (KEY=value) and stops it when the test ends.
func startServer(t *testing.T, pluginDir string, env ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	binary := rpchostBinary(t)
	cmd := exec.CommandContext(ctx, binary, "serve", "--listen", "127.0.0.1:0", "--plugins", pluginDir)
	// No drain grace: a test stops its server with an interrupt, and
	// waiting out the default five seconds each time adds minutes to the
	// run (TestDrainOnSIGTERM sets its own).
	cmd.Env = append(os.Environ(), "RPCHOST_CACHE_DIR="+cacheDir, "RPCHOST_HTTP_DRAIN_GRACE=0",
		"RPCHOST_LOG_LEVEL=debug", "RPCHOST_STORE_DIR="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd}
	addr := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.logs.WriteString(line + "\n")
			s.mu.Unlock()
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		<-done
		if t.Failed() {
			t.Logf("server log:\n%s", s.Logs())
		}
	})
	select {
	case a := <-addr:
		s.URL = "http://" + a + "/"
	case <-done:
		t.Fatalf("rpchost exited before listening:\n%s", s.Logs())
	case <-time.After(60 * time.Second):
		t.Fatalf("rpchost did not listen within 60 s:\n%s", s.Logs())
	}
	return s
}

// requireTool returns the path of a tool the test needs; under CI=true a
// missing tool is a failure, not a skip.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	return testutil.RequireTool(t, name)
}

// runScript runs a client script against the server and fails with its output.
func runScript(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
