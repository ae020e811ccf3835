package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/internal/store/pgtest"
)

// startPostgres starts a private PostgreSQL server with
// internal/store/pgtest, the tests' own (initdb and pg_ctl of Debian's
// postgresql package, a unix socket in a temporary directory, the server's
// default durability: fsync and synchronous_commit on). pgtest takes a
// testing.TB; pgTB is the few methods it calls, with Fatalf and Skipf
// turned into the error returned here, so that a machine without
// PostgreSQL skips it with the reason rather than fail the part.
func startPostgres(logf func(string, ...any)) (dsn string, stop func() error, err error) {
	tb := &pgTB{logf: logf}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(pgFailure)
			if !ok {
				panic(r)
			}
			err = errors.Join(errors.New(string(f)), tb.cleanup())
		}
	}()
	dsn = pgtest.Start(tb)
	return dsn, tb.cleanup, nil
}

// pgTB is a testing.TB for pgtest.Start outside a test. The embedded
// interface is nil: a method pgtest does not call would panic, which a
// change to pgtest would show at once.
type pgTB struct {
	testing.TB
	logf     func(string, ...any)
	cleanups []func()
	errs     []error
}

// pgFailure is what Fatalf and Skipf panic with, to stop pgtest.Start as
// they stop a test.
type pgFailure string

func (t *pgTB) Helper()                           {}
func (t *pgTB) Name() string                      { return "bench" }
func (t *pgTB) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *pgTB) Logf(format string, args ...any)   { t.logf("  "+format, args...) }
func (t *pgTB) Fatalf(format string, args ...any) { panic(pgFailure(fmt.Sprintf(format, args...))) }
func (t *pgTB) Skipf(format string, args ...any)  { panic(pgFailure(fmt.Sprintf(format, args...))) }
func (t *pgTB) Errorf(format string, args ...any) {
	t.errs = append(t.errs, fmt.Errorf(format, args...))
}

// cleanup stops the server and removes its directory (pgtest's cleanups,
// last first).
func (t *pgTB) cleanup() error {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	t.cleanups = nil
	err := errors.Join(t.errs...)
	t.errs = nil
	return err
}

// postmasterPID is the PostgreSQL server's process id, from the
// postmaster.pid file pgtest's data directory holds ("data" beside the
// socket, in the directory the DSN's host names).
func postmasterPID(dsn string) (int, error) {
	for _, f := range strings.Fields(dsn) {
		if dir, ok := strings.CutPrefix(f, "host="); ok {
			b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
			if err != nil {
				return 0, err
			}
			first, _, _ := strings.Cut(string(b), "\n")
			return strconv.Atoi(strings.TrimSpace(first))
		}
	}
	return 0, fmt.Errorf("no host= in the DSN %q", dsn)
}
