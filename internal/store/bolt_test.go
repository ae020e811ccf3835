package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var boltBackend = backend{
	driver: "bbolt",
	// A directory that does not exist yet: Open creates it.
	target: func(t *testing.T) string { return filepath.Join(t.TempDir(), "data") },
}

func TestBoltConformance(t *testing.T) { testConformance(t, boltBackend) }

// TestBoltDurableWithoutClose kills a process right after Apply returned,
// without Close: the write must already be in the file. (A killed process
// keeps what reached the kernel; the fsync bolt does on commit is what
// keeps it across a power loss, which a test cannot cut.)
func TestBoltDurableWithoutClose(t *testing.T) {
	const env = "RPCHOST_STORE_KILL_AFTER_APPLY"
	if dir := os.Getenv(env); dir != "" {
		s, err := Open(context.Background(), "bbolt", dir, Limits{})
		if err == nil {
			err = s.Apply(context.Background(), "p", []Write{put("k", "committed")})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // never closes
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBoltDurableWithoutClose$")
	cmd.Env = append(os.Environ(), env+"="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v\n%s", err, out)
	}
	s := boltBackend.open(t, dir, Limits{})
	if v, ok := mustGet(t, s, "p", "k"); !ok || string(v) != "committed" {
		t.Errorf("after a kill: %q, %v", v, ok)
	}
	if u := mustUsage(t, s, "p"); u != (Usage{Keys: 1, Bytes: 10}) {
		t.Errorf("usage after a kill = %+v", u)
	}
}

func TestBoltCreatesDirectoryAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s := boltBackend.open(t, dir, Limits{})
	mustApply(t, s, "p", put("k", "v"))
	fi, err := os.Stat(filepath.Join(dir, boltFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", boltFile, fi.Mode().Perm())
	}
}

// TestBoltLocked opens a directory that another handle holds: Open gives up
// at the context's deadline and names the file.
func TestBoltLockedUntilDeadline(t *testing.T) {
	dir := t.TempDir()
	boltBackend.open(t, dir, Limits{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	s, err := Open(ctx, "bbolt", dir, Limits{})
	if err == nil {
		s.Close()
		t.Fatal("opened a file another handle holds")
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("gave up after %s, want about 200ms", took)
	}
	path := filepath.Join(dir, boltFile)
	for _, want := range []string{path, "in use by another process"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestBoltLayout checks the file's layout by reading it with bolt itself:
// one bucket per namespace under "kv", and a usage record per namespace
// that goes away with the namespace's last key.
func TestBoltLayout(t *testing.T) {
	dir := t.TempDir()
	s := boltBackend.open(t, dir, Limits{})
	mustApply(t, s, "alpha", put("k1", "v1"), put("k2", "v22"))
	mustApply(t, s, "beta", put("k", "v"))
	mustApply(t, s, "beta", del("k"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(dir, boltFile), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		if got := tx.Bucket(metaBucket).Get(formatKey); string(got) != "1" {
			return fmt.Errorf("format = %q", got)
		}
		alpha := tx.Bucket(kvBucket).Bucket([]byte("alpha"))
		if alpha == nil || string(alpha.Get([]byte("k2"))) != "v22" {
			return errors.New("alpha's keys are not in bucket kv/alpha as they are")
		}
		if tx.Bucket(kvBucket).Bucket([]byte("beta")) != nil {
			return errors.New("an emptied namespace kept its bucket")
		}
		if got := decodeUsage(tx.Bucket(usageBucket).Get([]byte("alpha"))); got != (Usage{Keys: 2, Bytes: 9}) {
			return fmt.Errorf("usage record of alpha = %+v", got)
		}
		if tx.Bucket(usageBucket).Get([]byte("beta")) != nil {
			return errors.New("an emptied namespace kept its usage record")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

func TestBoltRefusesOtherFormat(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, boltFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(metaBucket)
		if err != nil {
			return err
		}
		return b.Put(formatKey, []byte("99"))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Open(context.Background(), "bbolt", dir, Limits{}); err == nil || !strings.Contains(err.Error(), `"99"`) {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open of a format-99 file: %v", err)
	}
	// The refused file was closed again: it can be opened.
	db, err = bolt.Open(filepath.Join(dir, boltFile), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("file still locked after a refused Open: %v", err)
	}
	db.Close()
}

func TestBoltRefusesHugeKeyLimit(t *testing.T) {
	if s, err := Open(context.Background(), "bbolt", t.TempDir(), Limits{MaxKeyBytes: 40000}); err == nil {
		s.Close()
		t.Error("accepted MaxKeyBytes over bolt's key limit")
	}
}

// BenchmarkApply is one batch of 100 puts of 200-byte values per op, each
// committed with an fsync: what a call that writes 100 keys costs.
func BenchmarkApply(b *testing.B) {
	s, err := Open(context.Background(), "bbolt", b.TempDir(), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	value := make([]byte, 200)
	batch := make([]Write, 100)
	b.ReportAllocs()
	b.SetBytes(int64(len(batch) * len(value)))
	i := 0
	for b.Loop() {
		for j := range batch {
			batch[j] = Write{Key: fmt.Sprintf("key-%06d", (i*len(batch)+j)%50000), Value: value}
		}
		i++
		if err := s.Apply(context.Background(), "bench", batch); err != nil {
			b.Fatal(err)
		}
	}
}
