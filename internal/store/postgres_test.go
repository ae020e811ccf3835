package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/rpchost/rpchost/internal/store/pgtest"
)

// TestPostgres runs everything that needs PostgreSQL against one real
// server (started once: it takes a couple of seconds), each subtest in a
// database of its own.
func TestPostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	pg := backend{driver: "postgres", target: func(t *testing.T) string { return pgtest.NewDatabase(t, dsn) }}

	t.Run("Conformance", func(t *testing.T) { testConformance(t, pg) })
	t.Run("Replicas", func(t *testing.T) { testPGReplicas(t, pg) })
	t.Run("ConcurrentOpen", func(t *testing.T) { testPGConcurrentOpen(t, pg) })
	t.Run("SyncCommit", func(t *testing.T) { testPGSyncCommit(t, pg) })
	t.Run("KeyLimit", func(t *testing.T) {
		if s, err := Open(bg(), "postgres", pg.target(t), Limits{MaxKeyBytes: 4096}); err == nil {
			s.Close()
			t.Error("accepted MaxKeyBytes over what a primary-key entry holds")
		}
	})
	t.Run("BadDSN", func(t *testing.T) {
		_, err := Open(bg(), "postgres", "host=/nonexistent-rpchost-socket-dir user=x password=s3cret dbname=y", Limits{})
		if err == nil {
			t.Fatal("opened a server that does not exist")
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error repeats the DSN's password: %v", err)
		}
	})
}

// testPGReplicas is two stores on one database, as two rpchost replicas
// would be, racing for one namespace's quota and rows.
func testPGReplicas(t *testing.T, pg backend) {
	target := pg.target(t)
	lim := Limits{MaxNamespaceBytes: 1000}
	replicas := []Store{pg.open(t, target, lim), pg.open(t, target, lim)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for w := range 30 {
		wg.Go(func() {
			s := replicas[w%2]
			// Every writer also rewrites a shared key, so the replicas
			// contend for rows as well as for the usage row.
			err := s.Apply(bg(), "p", []Write{put(fmt.Sprintf("k%02d", w), strings.Repeat("v", 96)), put("hot", fmt.Sprint(w%10))})
			switch {
			case err == nil:
				mu.Lock()
				ok++
				mu.Unlock()
			case !errors.Is(err, ErrQuotaExceeded):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// "hot" costs 4 bytes, each k 99: (1000-4)/99 = 10 writers fit.
	if ok != 10 {
		t.Errorf("%d writers succeeded, want 10", ok)
	}
	for i, s := range replicas {
		if u := mustUsage(t, s, "p"); u != (Usage{Keys: 11, Bytes: 4 + 10*99}) {
			t.Errorf("replica %d: usage %+v", i, u)
		}
	}
}

// testPGConcurrentOpen starts several replicas at once on an empty
// database: schema creation must not race.
func testPGConcurrentOpen(t *testing.T, pg backend) {
	target := pg.target(t)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			s, err := Open(bg(), "postgres", target, Limits{})
			if err != nil {
				t.Error(err)
				return
			}
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// testPGSyncCommit turns synchronous_commit off for the database: the
// store's sessions must still commit durably.
func testPGSyncCommit(t *testing.T, pg backend) {
	target := pg.target(t)
	conn, err := pgx.Connect(bg(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(bg())
	if _, err := conn.Exec(bg(), "DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database()); END$$"); err != nil {
		t.Fatal(err)
	}
	s := pg.open(t, target, Limits{})
	var mode string
	if err := s.(*pgStore).pool.QueryRow(bg(), "SHOW synchronous_commit").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "on" {
		t.Errorf("synchronous_commit = %q in the store's sessions, want on", mode)
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, c := range []struct{ in, want []byte }{
		{nil, nil},
		{[]byte("a"), []byte("b")},
		{[]byte("a/"), []byte("a0")},
		{[]byte{'a', 0xFF}, []byte("b")},
		{[]byte{0xFF, 0xFF}, nil},
		{[]byte("é"), []byte{0xC3, 0xAA}},
	} {
		if got := prefixEnd(c.in); !bytes.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("prefixEnd(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// BenchmarkPostgresApply is BenchmarkApply against a real server: one
// transaction of 100 puts of 200-byte values, committed with a WAL flush.
func BenchmarkPostgresApply(b *testing.B) {
	dsn := pgtest.Start(b)
	s, err := Open(context.Background(), "postgres", dsn, Limits{})
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
