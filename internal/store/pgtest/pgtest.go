// Package pgtest starts a real, private PostgreSQL server for tests, from
// the binaries of Debian's postgresql package: no mock, no shared server,
// nothing left behind.
//
// A server takes a second or two to start, so a test binary should start
// one and share it between its tests (a parent test calling Start and
// running the others as subtests), giving each test its own database with
// NewDatabase.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// binGlob is where Debian installs each major version's server binaries.
const binGlob = "/usr/lib/postgresql/*/bin"

// port only names the socket file (.s.PGSQL.<port>): the server listens on
// no TCP address, so it never collides with another server or test.
const port = 5432

// Start runs initdb and pg_ctl start in a new temporary directory, with the
// server listening only on a unix socket in that directory, waits until it
// accepts connections, and returns a DSN for database "postgres" as
// superuser "postgres". t.Cleanup stops the server (pg_ctl stop -m fast)
// and removes the directory.
//
// PostgreSQL refuses to run as root; as root, the directory is given to the
// "postgres" user (which the package creates) and the binaries run through
// runuser. Without the binaries the test is skipped, or fails under
// CI=true, where skipping would hide that nothing was tested.
func Start(t testing.TB) (dsn string) {
	t.Helper()
	return StartServer(t).DSN
}

// Server is a running test server, which a test may stop and start again
// (to see what its clients do while the database is away).
type Server struct {
	DSN       string
	r         runner
	bin, dir  string
	data, log string
	opts      string
}

// Stop stops the server (pg_ctl stop -m fast): its clients' connections
// are closed, and new ones are refused until Restart.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if out, err := s.r.run(s.dir, filepath.Join(s.bin, "pg_ctl"), "stop", "-D", s.data, "-m", "fast", "-w", "-t", "60"); err != nil {
		t.Fatalf("pgtest: pg_ctl stop: %v\n%s", err, out)
	}
}

// Restart starts a stopped server again, on the same socket and data.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if out, err := s.r.run(s.dir, filepath.Join(s.bin, "pg_ctl"), "start", "-D", s.data, "-l", s.log, "-w", "-t", "60", "-o", s.opts); err != nil {
		log, _ := os.ReadFile(s.log)
		t.Fatalf("pgtest: pg_ctl start: %v\n%s\nserver log:\n%s", err, out, log)
	}
	if err := waitReady(s.DSN, 30*time.Second); err != nil {
		t.Fatalf("pgtest: restarted server does not answer: %v", err)
	}
}

// StartServer is Start, returning the server so that the test can stop
// and restart it.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bin, err := findBin()
	if err != nil {
		missing(t, err)
	}
	var r runner
	if os.Geteuid() == 0 {
		if r, err = asPostgresUser(); err != nil {
			missing(t, err)
		}
	}

	dir, err := os.MkdirTemp(tempBase(), "rpchost-pg-")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("pgtest: remove %s: %v", dir, err)
		}
	})
	if r.user != nil {
		if err := os.Chown(dir, r.uid, r.gid); err != nil {
			t.Fatalf("pgtest: give %s to postgres: %v", dir, err)
		}
	}
	data := filepath.Join(dir, "data")
	logFile := filepath.Join(dir, "server.log")

	began := time.Now()
	if out, err := r.run(dir, filepath.Join(bin, "initdb"),
		"-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	// pg_ctl hands -o to the server through a shell: the directory, made by
	// MkdirTemp under a base without spaces, needs no quoting.
	opts := fmt.Sprintf("-c listen_addresses= -k %s -p %d", dir, port)
	if out, err := r.run(dir, filepath.Join(bin, "pg_ctl"),
		"start", "-D", data, "-l", logFile, "-w", "-t", "60", "-o", opts); err != nil {
		log, _ := os.ReadFile(logFile)
		t.Fatalf("pgtest: pg_ctl start: %v\n%s\nserver log:\n%s", err, out, log)
	}
	t.Cleanup(func() {
		// -m immediate would do too; fast is what a stopped server (Stop) answers quietly.
		if out, err := r.run(dir, filepath.Join(bin, "pg_ctl"), "stop", "-D", data, "-m", "fast", "-w", "-t", "60"); err != nil && !bytes.Contains(out, []byte("Is server running?")) {
			t.Errorf("pgtest: pg_ctl stop: %v\n%s", err, out)
		}
	})

	dsn := fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", dir, port)
	if err := waitReady(dsn, 30*time.Second); err != nil {
		log, _ := os.ReadFile(logFile)
		t.Fatalf("pgtest: server started but does not answer: %v\nserver log:\n%s", err, log)
	}
	t.Logf("pgtest: PostgreSQL (%s) ready in %s at %s", bin, time.Since(began).Round(time.Millisecond), dir)
	return &Server{DSN: dsn, r: r, bin: bin, dir: dir, data: data, log: logFile, opts: opts}
}

// NewDatabase creates an empty database on the server of dsn, dropped again
// in t.Cleanup, and returns a DSN for it: tests sharing one server each get
// a clean slate for the price of a CREATE DATABASE.
func NewDatabase(t testing.TB, dsn string) string {
	t.Helper()
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := "t_" + strings.ToLower(nonIdent.ReplaceAllString(t.Name(), "_"))
	name = name[:min(len(name), 40)] + "_" + hex.EncodeToString(suffix[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := exec1(ctx, dsn, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE: a test that failed may have left connections open.
		if err := exec1(ctx, dsn, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return dsn + " dbname=" + name // a later keyword wins in a key=value DSN
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// exec1 runs one statement on a connection of its own (CREATE DATABASE
// cannot run inside a transaction, nor on a pooled connection that is in
// one).
func exec1(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, sql)
	if cerr := conn.Close(ctx); err == nil {
		err = cerr
	}
	return err
}

// waitReady connects until the server answers a query. pg_ctl -w already
// waited for the postmaster; this makes sure our client gets through too.
func waitReady(dsn string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := exec1(ctx, dsn, "SELECT 1")
		cancel()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// findBin returns the bin directory of the highest installed major version
// holding both initdb and pg_ctl.
func findBin() (string, error) {
	dirs, _ := filepath.Glob(binGlob)
	var usable []string
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			usable = append(usable, d)
		}
	}
	if len(usable) == 0 {
		return "", fmt.Errorf("no initdb and pg_ctl under %s", binGlob)
	}
	// Numerically: "9.6" < "10" < "15".
	slices.SortFunc(usable, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(a)), filepath.Base(filepath.Dir(b)))
	})
	return usable[len(usable)-1], nil
}

func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return strings.Compare(a, b)
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// missing skips the test, or fails it under CI=true.
func missing(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("pgtest: PostgreSQL is required under CI=true: %v; install Debian's postgresql package (.ci/run does)", err)
	}
	t.Skipf("pgtest: PostgreSQL is not available (%v); install Debian's postgresql package. Under CI=true this is a failure", err)
}

// tempBase is where the server's directory goes. Its path must stay short
// (a unix socket path is limited to 107 bytes) and, as root, be reachable
// by the postgres user, which /tmp is and a root-only TMPDIR may not be.
func tempBase() string {
	base := os.TempDir()
	if len(base) > 60 || os.Geteuid() == 0 || strings.ContainsAny(base, " '\"\\$") {
		return "/tmp"
	}
	return base
}

// runner runs the PostgreSQL binaries, as the postgres user when we are
// root.
type runner struct {
	user     *user.User
	runuser  string
	uid, gid int
}

func asPostgresUser() (runner, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return runner{}, fmt.Errorf("running as root, and there is no postgres user to run the server as: %w", err)
	}
	ru, err := exec.LookPath("runuser")
	if err != nil {
		return runner{}, fmt.Errorf("running as root, and runuser is missing: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return runner{}, fmt.Errorf("postgres user has uid %q gid %q", u.Uid, u.Gid)
	}
	return runner{user: u, runuser: ru, uid: uid, gid: gid}, nil
}

// run runs name with args in dir (somewhere the postgres user may be: the
// test's own working directory may not be) and returns its output.
func (r runner) run(dir, name string, args ...string) ([]byte, error) {
	if r.user != nil {
		args = append([]string{"-u", r.user.Username, "--", name}, args...)
		name = r.runuser
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl's server detaches with its output in the log file; should
	// it ever keep our pipe open, do not wait on it forever.
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	return out.Bytes(), err
}
