package store

import (
	"errors"
	"math"
	"strconv"
	"sync"
	"testing"
)

func add(k string, d int64) Write { return Write{Key: k, Add: true, Delta: d} }

// wantValue checks key's stored value ("" for absent).
func wantValue(t *testing.T, s Store, ns, key, want string) {
	t.Helper()
	v, found := mustGet(t, s, ns, key)
	if got := string(v); found != (want != "") || got != want {
		t.Errorf("%s = %q (found %v), want %q", key, got, found, want)
	}
}

// Adds through Apply: summed with the stored value, absent counts as 0, a
// sum of 0 deletes, in order with the batch's puts and deletes, and a
// value that is not a decimal int64 (or an overflow) fails the whole batch.
func testAdd(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	mustApply(t, s, "a", add("n", 5))
	wantValue(t, s, "a", "n", "5")
	mustApply(t, s, "a", add("n", -2), add("m", 7))
	wantValue(t, s, "a", "n", "3")
	wantValue(t, s, "a", "m", "7")
	mustApply(t, s, "a", add("n", -3))
	wantValue(t, s, "a", "n", "")
	if u, err := s.Usage(bg(), "a"); err != nil || u.Keys != 1 || u.Bytes != int64(len("m")+len("7")) {
		t.Errorf("usage %+v, %v after adds, want 1 key of 2 bytes", u, err)
	}
	mustApply(t, s, "a", put("p", "10"), add("p", 5), add("p", 1), del("q"), add("q", -4))
	wantValue(t, s, "a", "p", "16")
	wantValue(t, s, "a", "q", "-4")

	mustApply(t, s, "a", put("text", "ten"), put("big", strconv.FormatInt(math.MaxInt64, 10)))
	for _, w := range []Write{add("text", 1), add("big", 1)} {
		err := s.Apply(bg(), "a", []Write{put("x", "written?"), w})
		if !errors.Is(err, ErrNotInteger) {
			t.Errorf("Apply of %+v: %v, want ErrNotInteger", w, err)
		}
	}
	wantValue(t, s, "a", "x", "")
	wantValue(t, s, "a", "big", strconv.FormatInt(math.MaxInt64, 10))
}

// Adds through Txns from many goroutines never conflict and lose nothing,
// where a read-then-put counter (testConcurrentIncrements) is retried.
func testConcurrentAdds(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				txn := NewTxn(s, "ns", Limits{})
				if err := txn.Add("n", 2); err != nil {
					t.Error(err)
					return
				}
				if err := txn.Put("other", []byte("x")); err != nil {
					t.Error(err)
					return
				}
				if err := txn.Commit(bg()); err != nil {
					t.Errorf("commit of an Add: %v (an Add must not conflict)", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	wantValue(t, s, "ns", "n", strconv.Itoa(2*workers*each))
}

// A Txn's Add: merged with the call's own writes, seen by its reads as the
// sum, and committed as an Add when it was not read.
func testTxnAdd(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	mustApply(t, s, "ns", put("n", "40"))
	txn := NewTxn(s, "ns", Limits{})
	for _, d := range []int64{1, 1} {
		if err := txn.Add("n", d); err != nil {
			t.Fatal(err)
		}
	}
	// Another call changes n before this one commits: the Add still
	// counts on top, since nothing of n was read.
	mustApply(t, s, "ns", put("n", "100"))
	if err := txn.Commit(bg()); err != nil {
		t.Fatal(err)
	}
	wantValue(t, s, "ns", "n", "102")

	txn = NewTxn(s, "ns", Limits{})
	if err := txn.Add("n", 8); err != nil {
		t.Fatal(err)
	}
	for _, read := range []func() (string, error){
		func() (string, error) { v, _, err := txn.Get(bg(), "n"); return string(v), err },
		func() (string, error) { v, _, err := txn.GetMany(bg(), []string{"n"}, 1<<20); return string(v[0]), err },
		func() (string, error) {
			kv, err := txn.Scan(bg(), "n", 10)
			if err != nil || len(kv) != 1 {
				return "", err
			}
			return string(kv[0].Value), nil
		},
	} {
		if got, err := read(); err != nil || got != "110" {
			t.Errorf("read after Add: %q, %v; want 110", got, err)
		}
	}
	// Read, so now it conflicts like any read-then-write.
	mustApply(t, s, "ns", put("n", "0"))
	if err := txn.Commit(bg()); !errors.Is(err, ErrConflict) {
		t.Errorf("commit after reading a counter another call changed: %v, want ErrConflict", err)
	}

	txn = NewTxn(s, "ns", Limits{})
	if err := txn.Put("t", []byte("7")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Add("t", -7); err != nil {
		t.Fatal(err)
	}
	if err := txn.Put("word", []byte("w")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Add("word", 1); !errors.Is(err, ErrNotInteger) {
		t.Errorf("Add over a buffered non-integer: %v, want ErrNotInteger", err)
	}
	if err := txn.Add("", 1); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Add to an empty key: %v", err)
	}
	if err := txn.Commit(bg()); err != nil {
		t.Fatal(err)
	}
	wantValue(t, s, "ns", "t", "")
}

// Reading a counter added to in the same call is a read: refused at
// MaxTxnBytes, it leaves the call's writes as they were.
func TestTxnReadOfAnAddIsARead(t *testing.T) {
	s := boltBackend.fresh(t, Limits{})
	// Ten adds of 8-byte keys hold 10 × (8 + 20 + 64) = 920 bytes; reading
	// one needs 8 + 32 more.
	lim := Limits{MaxTxnBytes: 950, MaxKeyBytes: 16, MaxValueBytes: 32}
	txn := NewTxn(s, "ns", lim)
	var keys []string
	for i := range 10 {
		k := "counter" + strconv.Itoa(i)
		if err := txn.Add(k, 1); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if _, _, err := txn.Get(bg(), keys[0]); !errors.Is(err, ErrTxnTooLarge) {
		t.Fatalf("a read past MaxTxnBytes: %v, want ErrTxnTooLarge", err)
	}
	if err := txn.Commit(bg()); err != nil {
		t.Fatalf("the adds before a refused read were not kept: %v", err)
	}
	for _, k := range keys {
		wantValue(t, s, "ns", k, "1")
	}
}
