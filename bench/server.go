package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// spec says how to start one server process.
type spec struct {
	name string   // for messages and results
	path string   // the executable
	args []string // its arguments
	env  []string // added to the harness's environment, minus RPCHOST_* variables
	dir  string   // working directory
}

// server is a running server process. Every server writes
// "msg=listening addr=HOST:PORT" to stderr once it accepts connections.
type server struct {
	spec
	cmd   *exec.Cmd
	addr  string
	ready time.Duration // from just before exec to the listening line
	line  string        // the listening line
	log   *lineLog
	done  chan struct{} // closed once the process has exited and been reaped
	err   error         // how it exited; valid after done
}

// servers tracks every process the harness starts, so that all of them are
// stopped at the end whatever happened.
type servers struct {
	mu  sync.Mutex
	all map[*server]bool
}

// listeningRE finds the port in rpchost's (slog), the ceiling's and the
// classic server's listening line.
var listeningRE = regexp.MustCompile(`msg=listening .*?addr=(\S+)`)

// start runs sp and waits, at most timeout, for its listening line.
func (ss *servers) start(ctx context.Context, sp spec, timeout time.Duration) (*server, error) {
	cmd := exec.Command(sp.path, sp.args...)
	cmd.Dir = sp.dir
	cmd.Env = append(withoutRPCHostVars(os.Environ()), sp.env...)
	// Its own process group keeps the terminal's ctrl-C away from it (the
	// harness stops it in order), and it dies with the harness, should the
	// harness be killed outright.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s := &server{spec: sp, cmd: cmd, log: &lineLog{max: 5000}, done: make(chan struct{})}
	cmd.Stdout = s.log
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", sp.name, err)
	}
	listening := make(chan string, 1)
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", sp.name, err)
	}
	ss.mu.Lock()
	if ss.all == nil {
		ss.all = map[*server]bool{}
	}
	ss.all[s] = true
	ss.mu.Unlock()
	go s.readStderr(stderr, listening)

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case line := <-listening:
		s.ready = time.Since(begin)
		s.line = line
		s.addr = listeningRE.FindStringSubmatch(line)[1]
		return s, nil
	case <-s.done:
		err = fmt.Errorf("%s exited before listening (%v); its output ended with:\n%s", sp.name, s.err, s.log.tail(20))
	case <-timer.C:
		err = fmt.Errorf("%s did not log its listening line within %v; its output ended with:\n%s", sp.name, timeout, s.log.tail(20))
	case <-ctx.Done():
		err = ctx.Err()
	}
	return nil, errors.Join(err, ss.stop(s))
}

// readStderr logs every line, hands the first listening line over, and
// reaps the process once its stderr closes (it must not be reaped before
// the pipe is drained).
func (s *server) readStderr(r io.Reader, listening chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	found := false
	for sc.Scan() {
		line := sc.Text()
		s.log.add(line)
		if !found && listeningRE.MatchString(line) {
			found = true
			listening <- line
		}
	}
	_, _ = io.Copy(io.Discard, r) // a line longer than 1 MiB: keep draining
	s.err = s.cmd.Wait()
	close(s.done)
}

// stop asks the server to shut down (SIGTERM), kills it after 10 s, and
// waits until it is gone.
func (ss *servers) stop(s *server) error {
	ss.mu.Lock()
	delete(ss.all, s)
	ss.mu.Unlock()
	select {
	case <-s.done:
		return nil // already gone
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	return fmt.Errorf("%s ignored SIGTERM for 10 s and was killed", s.name)
}

// stopAll stops every server still running.
func (ss *servers) stopAll() error {
	ss.mu.Lock()
	var all []*server
	for s := range ss.all {
		all = append(all, s)
	}
	ss.mu.Unlock()
	var errs []error
	for _, s := range all {
		errs = append(errs, ss.stop(s))
	}
	return errors.Join(errs...)
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// withoutRPCHostVars drops RPCHOST_* variables, so that the user's own
// settings do not change what is measured.
func withoutRPCHostVars(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "RPCHOST_") {
			out = append(out, kv)
		}
	}
	return out
}

// lineLog keeps the last max lines a process wrote, with when they came.
type lineLog struct {
	mu    sync.Mutex
	max   int
	lines []logLine
	part  []byte // an unfinished line written to stdout
}

type logLine struct {
	at   time.Time
	text string
}

func (l *lineLog) add(text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == l.max {
		l.lines = append(l.lines[:0], l.lines[l.max/2:]...)
	}
	l.lines = append(l.lines, logLine{time.Now(), text})
}

// Write takes a process's stdout.
func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.part = append(l.part, p...)
	var done []string
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		done = append(done, string(l.part[:i]))
		l.part = l.part[i+1:]
	}
	l.mu.Unlock()
	for _, line := range done {
		l.add(line)
	}
	return len(p), nil
}

// find returns the first line after since that contains every one of parts.
func (l *lineLog) find(since time.Time, parts ...string) (logLine, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if line.at.Before(since) {
			continue
		}
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line.text, p)
		}
		if ok {
			return line, true
		}
	}
	return logLine{}, false
}

// tail returns the last n lines, for error messages.
func (l *lineLog) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := l.lines[max(0, len(l.lines)-n):]
	var b strings.Builder
	for _, line := range lines {
		b.WriteString("  " + line.text + "\n")
	}
	return b.String()
}

// logField returns the value of key=value in a slog text line ("" if absent).
func logField(line, key string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}
