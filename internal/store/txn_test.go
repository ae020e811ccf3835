package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// txnOver opens a bolt store holding the given pairs in namespace "p".
func txnOver(t testing.TB, lim Limits, pairs ...string) (Store, *Txn) {
	t.Helper()
	s, err := Open(context.Background(), "bbolt", t.TempDir(), lim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var batch []Write
	for i := 0; i+1 < len(pairs); i += 2 {
		batch = append(batch, put(pairs[i], pairs[i+1]))
	}
	if err := s.Apply(context.Background(), "p", batch); err != nil {
		t.Fatal(err)
	}
	return s, NewTxn(s, "p", lim)
}

func txnGet(t *testing.T, x *Txn, key string) (string, bool) {
	t.Helper()
	v, ok, err := x.Get(bg(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return string(v), ok
}

func txnScan(t *testing.T, x *Txn, prefix string, limit int) []string {
	t.Helper()
	kvs, err := x.Scan(bg(), prefix, limit)
	if err != nil {
		t.Fatalf("Scan(%q, %d): %v", prefix, limit, err)
	}
	out := make([]string, len(kvs))
	for i, kv := range kvs {
		out[i] = kv.Key + "=" + string(kv.Value)
	}
	return out
}

func TestTxnReadYourWrites(t *testing.T) {
	s, x := txnOver(t, Limits{}, "a", "stored", "b", "stored")
	buf := []byte("mine")
	if err := x.Put("a", buf); err != nil {
		t.Fatal(err)
	}
	buf[0] = 'X' // Put copied it
	if v, ok := txnGet(t, x, "a"); !ok || v != "mine" {
		t.Errorf("Get(a) = %q, %v; want the call's own write", v, ok)
	}
	if v, _ := txnGet(t, x, "b"); v != "stored" {
		t.Errorf("Get(b) = %q; want the stored value", v)
	}
	got, _, _ := x.Get(bg(), "a")
	got[0] = 'Y' // the caller may change what Get returned
	if v, _ := txnGet(t, x, "a"); v != "mine" {
		t.Errorf("changing Get's result changed the write set: %q", v)
	}
	if v, _, _ := s.Get(bg(), "p", "a"); string(v) != "stored" {
		t.Errorf("the store saw a write before Commit: %q", v)
	}
}

func TestTxnDeleteHides(t *testing.T) {
	_, x := txnOver(t, Limits{}, "a", "1", "b", "2")
	if err := x.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if _, ok := txnGet(t, x, "a"); ok {
		t.Error("a buffered delete does not hide the stored key")
	}
	if err := x.Put("a", []byte("again")); err != nil {
		t.Fatal(err)
	}
	if v, ok := txnGet(t, x, "a"); !ok || v != "again" {
		t.Errorf("put after delete: %q, %v", v, ok)
	}
	if err := x.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if got := txnScan(t, x, "", 10); !slices.Equal(got, []string{"b=2"}) {
		t.Errorf("scan = %q", got)
	}
}

func TestTxnScanMerges(t *testing.T) {
	_, x := txnOver(t, Limits{}, "k1", "s1", "k3", "s3", "k5", "s5", "k7", "s7", "other", "o")
	for _, k := range []string{"k2", "k3", "k8"} {
		if err := x.Put(k, []byte("t"+k[1:])); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Delete("k5"); err != nil {
		t.Fatal(err)
	}
	if err := x.Delete("k9"); err != nil { // never stored
		t.Fatal(err)
	}
	want := []string{"k1=s1", "k2=t2", "k3=t3", "k7=s7", "k8=t8"}
	for limit := 0; limit <= 7; limit++ {
		got := txnScan(t, x, "k", limit)
		w := want[:min(limit, len(want))]
		if !slices.Equal(got, w) {
			t.Errorf("Scan(k, %d)\n got %q\nwant %q", limit, got, w)
		}
	}
	if got := txnScan(t, x, "", 100); len(got) != 6 || got[5] != "other=o" {
		t.Errorf("scan of everything = %q", got)
	}
	kvs, _ := x.Scan(bg(), "k2", 1)
	kvs[0].Value[0] = 'X' // the caller's copy
	if v, _ := txnGet(t, x, "k2"); v != "t2" {
		t.Errorf("changing a scanned value changed the write set: %q", v)
	}
}

// TestTxnScanPages makes buffered deletes hide whole pages of the store's
// results, so Scan must fetch more pages to fill its limit.
func TestTxnScanPages(t *testing.T) {
	var pairs []string
	for i := range 50 {
		pairs = append(pairs, fmt.Sprintf("k%02d", i), "s")
	}
	_, x := txnOver(t, Limits{}, pairs...)
	for i := range 45 {
		if err := x.Delete(fmt.Sprintf("k%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Put("k455", []byte("t")); err != nil {
		t.Fatal(err)
	}
	if err := x.Put("k99", []byte("t")); err != nil {
		t.Fatal(err)
	}
	got := txnScan(t, x, "k", 4)
	want := []string{"k45=s", "k455=t", "k46=s", "k47=s"}
	if !slices.Equal(got, want) {
		t.Errorf("Scan\n got %q\nwant %q", got, want)
	}
	got = txnScan(t, x, "k", 100)
	want = []string{"k45=s", "k455=t", "k46=s", "k47=s", "k48=s", "k49=s", "k99=t"}
	if !slices.Equal(got, want) {
		t.Errorf("Scan\n got %q\nwant %q", got, want)
	}
}

// TestTxnScanModel compares Txn.Scan with a map (store contents overlaid
// with the write set) over random stores, write sets and limits.
func TestTxnScanModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 40 {
		stored := map[string]string{}
		var pairs []string
		for range rng.IntN(30) {
			k := fmt.Sprintf("%c%d", 'a'+rng.IntN(3), rng.IntN(30))
			stored[k] = "s" + k
		}
		for k, v := range stored {
			pairs = append(pairs, k, v)
		}
		_, x := txnOver(t, Limits{}, pairs...)
		model := maps.Clone(stored)
		for range rng.IntN(30) {
			k := fmt.Sprintf("%c%d", 'a'+rng.IntN(3), rng.IntN(30))
			if rng.IntN(2) == 0 {
				x.Delete(k)
				delete(model, k)
			} else {
				x.Put(k, []byte("t"+k))
				model[k] = "t" + k
			}
		}
		for _, prefix := range []string{"", "a", "b1", "c"} {
			limit := 1 + rng.IntN(12)
			var want []string
			for _, k := range slices.Sorted(maps.Keys(model)) {
				if strings.HasPrefix(k, prefix) && len(want) < limit {
					want = append(want, k+"="+model[k])
				}
			}
			if got := txnScan(t, x, prefix, limit); !slices.Equal(got, want) {
				t.Fatalf("round %d Scan(%q, %d)\n got %q\nwant %q", round, prefix, limit, got, want)
			}
		}
	}
}

func TestTxnDiscard(t *testing.T) {
	s, x := txnOver(t, Limits{}, "a", "1")
	x.Put("b", []byte("2"))
	x.Delete("a")
	if !x.Dirty() {
		t.Fatal("not dirty after writes")
	}
	x.Discard()
	if x.Dirty() {
		t.Error("dirty after Discard")
	}
	if err := x.Commit(bg()); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := s.Get(bg(), "p", "a"); !ok || string(v) != "1" {
		t.Errorf("a = %q, %v after a discarded delete", v, ok)
	}
	if _, ok, _ := s.Get(bg(), "p", "b"); ok {
		t.Error("a discarded put reached the store")
	}
	if u, _ := s.Usage(bg(), "p"); u != (Usage{Keys: 1, Bytes: 2}) {
		t.Errorf("usage = %+v", u)
	}
}

func TestTxnCommit(t *testing.T) {
	s, x := txnOver(t, Limits{}, "a", "1", "gone", "x")
	if x.Dirty() {
		t.Error("dirty before any write")
	}
	if err := x.Commit(bg()); err != nil { // nothing written: no-op
		t.Fatal(err)
	}
	x.Put("b", []byte("2"))
	x.Put("a", []byte("11"))
	x.Delete("gone")
	if err := x.Commit(bg()); err != nil {
		t.Fatal(err)
	}
	if x.Dirty() {
		t.Error("dirty after Commit")
	}
	for k, want := range map[string]string{"a": "11", "b": "2"} {
		if v, ok, _ := s.Get(bg(), "p", k); !ok || string(v) != want {
			t.Errorf("%s = %q, %v after Commit", k, v, ok)
		}
	}
	if _, ok, _ := s.Get(bg(), "p", "gone"); ok {
		t.Error("a committed delete left the key")
	}
	// Someone else changes the store; a second Commit must not write the
	// first one's writes again.
	if err := s.Apply(bg(), "p", []Write{put("a", "other")}); err != nil {
		t.Fatal(err)
	}
	if err := x.Commit(bg()); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := s.Get(bg(), "p", "a"); string(v) != "other" {
		t.Errorf("a second Commit wrote again: a = %q", v)
	}
	if u, _ := s.Usage(bg(), "p"); u != (Usage{Keys: 2, Bytes: 6 + 2}) {
		t.Errorf("usage = %+v", u)
	}
}

func TestTxnLimits(t *testing.T) {
	lim := Limits{MaxKeyBytes: 4, MaxValueBytes: 8, MaxNamespaceBytes: 30}
	s, x := txnOver(t, lim, "old", "12345678") // 11 bytes stored
	if err := x.Put("toolong", nil); !errors.Is(err, ErrKeyTooLarge) {
		t.Errorf("Put with a long key: %v", err)
	}
	if err := x.Put("k", make([]byte, 9)); !errors.Is(err, ErrValueTooLarge) || !strings.Contains(err.Error(), "MaxValueBytes") {
		t.Errorf("Put with a large value: %v", err)
	}
	if err := x.Put("", nil); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Put with an empty key: %v", err)
	}
	if err := x.Delete("\xff"); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Delete with an invalid key: %v", err)
	}
	if _, _, err := x.Get(bg(), "toolong"); !errors.Is(err, ErrKeyTooLarge) {
		t.Errorf("Get with a long key: %v", err)
	}
	if _, err := x.Scan(bg(), "\xff", 1); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Scan with an invalid prefix: %v", err)
	}
	if x.Dirty() {
		t.Error("refused writes made the Txn dirty")
	}
	// 11 stored + 2×9 buffered = 29 fits; one more key does not, but that
	// is only known at Commit.
	for _, k := range []string{"k1", "k2"} {
		if err := x.Put(k, []byte("1234567")); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Put("k3", []byte("1")); err != nil {
		t.Fatalf("Put checked the namespace quota early: %v", err)
	}
	err := x.Commit(bg())
	if !errors.Is(err, ErrQuotaExceeded) || !strings.Contains(err.Error(), "MaxNamespaceBytes") {
		t.Fatalf("Commit over quota: %v", err)
	}
	if _, ok, _ := s.Get(bg(), "p", "k1"); ok {
		t.Error("a refused Commit wrote part of the write set")
	}
	if !x.Dirty() {
		t.Error("a failed Commit dropped the write set")
	}
	x.Delete("k3")
	if err := x.Commit(bg()); err != nil {
		t.Fatalf("Commit after making room: %v", err)
	}
	// A write set that alone exceeds the quota is refused at the put: it
	// could never commit, and the call should not hold it in memory.
	y := NewTxn(s, "p", lim)
	for _, k := range []string{"a", "b", "c"} {
		if err := y.Put(k, []byte("1234567")); err != nil {
			t.Fatal(err)
		}
	}
	if err := y.Put("d", []byte("1234567")); !errors.Is(err, ErrQuotaExceeded) {
		t.Errorf("buffering past the quota: %v", err)
	}
	y.Put("a", nil) // overwriting shrinks what is buffered
	if err := y.Put("d", []byte("1234567")); err != nil {
		t.Errorf("buffering after shrinking: %v", err)
	}
}

// BenchmarkTxnCommit is one call's work over bbolt: 100 puts of 200-byte
// values into a Txn, one read of its own, and one Commit (one fsync).
func BenchmarkTxnCommit(b *testing.B) {
	s, err := Open(context.Background(), "bbolt", b.TempDir(), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	value := make([]byte, 200)
	keys := make([]string, 50000)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%06d", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x := NewTxn(s, "bench", Limits{})
		for j := range 100 {
			if err := x.Put(keys[(i*100+j)%len(keys)], value); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, err := x.Get(context.Background(), keys[(i*100)%len(keys)]); err != nil {
			b.Fatal(err)
		}
		i++
		if err := x.Commit(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
