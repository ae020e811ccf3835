package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// damagedFixture writes a store with several namespaces, buckets large
// enough for their own pages, overflow pages and a freelist, and returns
// its directory and the file's size in pages.
func damagedFixture(t *testing.T) (dir string, pages int) {
	t.Helper()
	dir = t.TempDir()
	s := boltBackend.open(t, dir, Limits{})
	for ns := range 4 {
		var batch []Write
		for i := range 200 {
			batch = append(batch, Write{Key: fmt.Sprintf("k%04d", i), Value: []byte(strings.Repeat("v", 50+i))})
		}
		batch = append(batch, Write{Key: "big", Value: make([]byte, 20000)}) // overflow pages
		mustApply(t, s, fmt.Sprintf("ns%d", ns), batch...)
	}
	mustApply(t, s, "ns0", del("k0001"), del("k0002")) // frees pages
	mustApply(t, s, "small", put("a", "1"))            // an inline bucket
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, boltFile))
	if err != nil {
		t.Fatal(err)
	}
	return dir, int(fi.Size() / boltDefaultPage)
}

// readAll reads every key of every namespace of the fixture, which is what
// serving would do sooner or later.
func readAll(t *testing.T, s Store) {
	t.Helper()
	for _, ns := range []string{"ns0", "ns1", "ns2", "ns3", "small"} {
		after := ""
		for {
			page, err := s.Scan(bg(), ns, "", after, 100)
			if err != nil || len(page) == 0 {
				break
			}
			after = page[len(page)-1].Key
		}
		_, _ = s.Usage(bg(), ns)
	}
	_ = s.Apply(bg(), "ns1", []Write{put("new", "value")})
}

// openDamaged opens a damaged copy: it must fail with ErrDamaged and a
// message that says how to check or recover, or open a store that can be
// read in full and written; it must never panic or crash.
func openDamaged(t *testing.T, dir, what string) (refused bool) {
	t.Helper()
	s, err := Open(bg(), "bbolt", dir, Limits{})
	if err != nil {
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: %v, want ErrDamaged", what, err)
		}
		for _, want := range []string{filepath.Join(dir, boltFile), "bbolt check", "backup", "move it away"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q does not say %q", what, err, want)
			}
		}
		return true
	}
	readAll(t, s)
	s.Close()
	return false
}

func copyFile(t *testing.T, from, to string, edit func(b []byte)) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	edit(b)
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBoltRefusesDamagedFile: a zeroed file, random bytes, a truncated
// file, and garbage written over each page in turn (and over random runs of
// bytes) are refused at open with ErrDamaged, or (garbage where bolt does
// not look, such as a free page) opened and read in full, and never crash
// the process. Bolt alone panics or faults on most of them.
func TestBoltRefusesDamagedFile(t *testing.T) {
	src, pages := damagedFixture(t)
	file := filepath.Join(src, boltFile)
	fi, _ := os.Stat(file)
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(b []byte) {
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	}
	cases := map[string]func(b []byte){
		"zeroed":    func(b []byte) { clear(b) },
		"random":    random,
		"truncated": nil, // below
	}
	for name, edit := range cases {
		dir := filepath.Join(t.TempDir(), name)
		if edit == nil {
			copyFile(t, file, filepath.Join(dir, boltFile), func([]byte) {})
			if err := os.Truncate(filepath.Join(dir, boltFile), fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		} else {
			copyFile(t, file, filepath.Join(dir, boltFile), edit)
		}
		if !openDamaged(t, dir, name) {
			t.Errorf("%s: opened", name)
		}
	}
	refused := 0
	for p := 2; p < pages; p++ {
		dir := filepath.Join(t.TempDir(), fmt.Sprint(p))
		copyFile(t, file, filepath.Join(dir, boltFile), func(b []byte) { random(b[p*boltDefaultPage : (p+1)*boltDefaultPage]) })
		if openDamaged(t, dir, fmt.Sprintf("garbage over page %d", p)) {
			refused++
		}
	}
	for i := range 200 {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("run", i))
		copyFile(t, file, filepath.Join(dir, boltFile), func(b []byte) {
			at := 2*boltDefaultPage + rng.IntN(len(b)-2*boltDefaultPage-64)
			random(b[at : at+1+rng.IntN(64)])
		})
		openDamaged(t, dir, fmt.Sprintf("garbage run %d", i))
	}
	t.Logf("%d pages; garbage over one page refused for %d of them (the rest are free or value-only pages bolt reads safely)", pages, refused)
	if refused == 0 {
		t.Error("no damaged page was refused")
	}
}

// TestBoltInUse: a second Open of a held store fails within the short lock
// wait, with ErrInUse and a message naming the file and the likely cause.
func TestBoltInUse(t *testing.T) {
	dir := t.TempDir()
	boltBackend.open(t, dir, Limits{})
	began := time.Now()
	s, err := Open(context.Background(), "bbolt", dir, Limits{})
	took := time.Since(began)
	if err == nil {
		s.Close()
		t.Fatal("opened a store another handle holds")
	}
	if !errors.Is(err, ErrInUse) {
		t.Errorf("err = %v, want ErrInUse", err)
	}
	for _, want := range []string{filepath.Join(dir, boltFile), "in use by another process", "another rpchost"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	t.Logf("gave up after %s: %v", took.Round(time.Millisecond), err)
	if took > boltLockWait+5*time.Second {
		t.Errorf("gave up after %s, want about %s", took, boltLockWait)
	}
}

// TestBoltDirectoryIsAFile: a file where the store directory should be.
func TestBoltDirectoryIsAFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(dir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(bg(), "bbolt", dir, Limits{})
	if err == nil {
		s.Close()
		t.Fatal("opened a store whose directory is a file")
	}
	if !strings.Contains(err.Error(), "is a file, not a directory") {
		t.Errorf("err = %v", err)
	}
	// A file where the directory's parent should be.
	if s, err := Open(bg(), "bbolt", filepath.Join(dir, "sub"), Limits{}); err == nil {
		s.Close()
		t.Fatal("opened a store under a file")
	} else if !strings.Contains(err.Error(), "store directory") {
		t.Errorf("err = %v", err)
	}
}

// TestOpenErrorIsNilStore: a failed Open returns a nil Store interface, so
// that a caller's cleanup (if s != nil { s.Close() }) cannot call a method
// on a nil pointer — the crash of a host whose store failed to open.
func TestOpenErrorIsNilStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(bg(), "bbolt", dir, Limits{})
	if err == nil || s != nil {
		t.Fatalf("Open = %v, %v; want a nil Store and an error", s, err)
	}
}

// BenchmarkCheckBoltFile measures the start-up check on a store of
// RPCHOST_CHECK_BENCH_MIB (default 64) MiB of 1 KiB values, written with
// bolt directly (no fsync) to build it quickly. SetBytes makes the MB/s
// column the check's throughput.
func BenchmarkCheckBoltFile(b *testing.B) {
	mib := 64
	if v := os.Getenv("RPCHOST_CHECK_BENCH_MIB"); v != "" {
		fmt.Sscan(v, &mib)
	}
	path := filepath.Join(b.TempDir(), boltFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	value := make([]byte, 1024)
	for n := 0; n < mib*1024; {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte(fmt.Sprint("ns", n%7)))
			if err != nil {
				return err
			}
			for i := 0; i < 10000 && n < mib*1024; i++ {
				if err := bk.Put([]byte(fmt.Sprintf("key-%09d", n)), value); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for b.Loop() {
		if err := checkBoltFile(path); err != nil {
			b.Fatal(err)
		}
	}
}
