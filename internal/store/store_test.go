package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// backend is what the conformance suite needs from one implementation.
type backend struct {
	driver string
	// target returns a new, empty place to open a store (a directory, a
	// database).
	target func(t *testing.T) string
}

// open opens a store on target and closes it when the test ends.
func (b backend) open(t *testing.T, target string, lim Limits) Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, b.driver, target, lim)
	if err != nil {
		t.Fatalf("Open(%s): %v", b.driver, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// fresh opens a store on a new, empty target.
func (b backend) fresh(t *testing.T, lim Limits) Store {
	t.Helper()
	return b.open(t, b.target(t), lim)
}

// testConformance is the contract every backend keeps; bolt_test.go and
// postgres_test.go run it.
func testConformance(t *testing.T, b backend) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, backend)
	}{
		{"GetPutDelete", testGetPutDelete},
		{"ScanOrderPrefixAfterLimit", testScan},
		{"ScanBytesBounded", testScanBytes},
		{"NamespacesIsolated", testNamespaces},
		{"BatchLastWriteWins", testBatchOrder},
		{"QuotaAtomic", testQuota},
		{"QuotaOverLoweredLimit", testQuotaLowered},
		{"SizeErrors", testSizeErrors},
		{"UsageMatchesModel", testUsageModel},
		{"SurvivesReopen", testReopen},
		{"CloseTwice", testCloseTwice},
		{"ConcurrentApply", testConcurrentApply},
		{"Conflicts", testConflicts},
		{"ConcurrentIncrements", testConcurrentIncrements},
		{"ConcurrentQuota", testConcurrentQuota},
		{"CancelledContext", testCancelled},
		{"TxnGetMany", testTxnGetMany},
		{"Add", testAdd},
		{"ConcurrentAdds", testConcurrentAdds},
		{"TxnAdd", testTxnAdd},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, b) })
	}
}

func bg() context.Context { return context.Background() }

func put(k, v string) Write { return Write{Key: k, Value: []byte(v)} }
func del(k string) Write    { return Write{Key: k, Delete: true} }

func mustApply(t *testing.T, s Store, ns string, batch ...Write) {
	t.Helper()
	if err := s.Apply(bg(), ns, batch); err != nil {
		t.Fatalf("Apply(%q, %d writes): %v", ns, len(batch), err)
	}
}

func mustGet(t *testing.T, s Store, ns, key string) ([]byte, bool) {
	t.Helper()
	v, ok, err := s.Get(bg(), ns, key)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", ns, key, err)
	}
	return v, ok
}

func mustScan(t *testing.T, s Store, ns, prefix, after string, limit int) []KV {
	t.Helper()
	kvs, err := s.Scan(bg(), ns, prefix, after, limit)
	if err != nil {
		t.Fatalf("Scan(%q, %q, %q, %d): %v", ns, prefix, after, limit, err)
	}
	return kvs
}

func mustUsage(t *testing.T, s Store, ns string) Usage {
	t.Helper()
	u, err := s.Usage(bg(), ns)
	if err != nil {
		t.Fatalf("Usage(%q): %v", ns, err)
	}
	return u
}

func keysOf(kvs []KV) []string {
	out := make([]string, len(kvs))
	for i, kv := range kvs {
		out[i] = kv.Key
	}
	return out
}

func testGetPutDelete(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	if _, ok := mustGet(t, s, "p", "k"); ok {
		t.Fatal("found a key in an empty store")
	}
	buf := []byte("v1")
	mustApply(t, s, "p", Write{Key: "k", Value: buf})
	buf[0] = 'X' // the store must have copied it
	v, ok := mustGet(t, s, "p", "k")
	if !ok || string(v) != "v1" {
		t.Fatalf("Get = %q, %v; want v1", v, ok)
	}
	v[0] = 'Y' // and the caller may keep and change what it got
	if v, _ := mustGet(t, s, "p", "k"); string(v) != "v1" {
		t.Fatalf("Get after changing the returned slice = %q", v)
	}
	mustApply(t, s, "p", put("k", "v2"))
	if v, _ := mustGet(t, s, "p", "k"); string(v) != "v2" {
		t.Fatalf("overwrite: Get = %q", v)
	}
	mustApply(t, s, "p", del("k"))
	if _, ok := mustGet(t, s, "p", "k"); ok {
		t.Fatal("deleted key still found")
	}
	mustApply(t, s, "p", del("never-there")) // deleting a missing key is fine

	// An empty value, given as nil or as []byte{}, is a found, empty value.
	mustApply(t, s, "p", Write{Key: "nil"}, Write{Key: "empty", Value: []byte{}})
	for _, k := range []string{"nil", "empty"} {
		v, ok := mustGet(t, s, "p", k)
		if !ok || v == nil || len(v) != 0 {
			t.Errorf("Get(%q) = %#v, %v; want a found, non-nil empty value", k, v, ok)
		}
	}
	if u := mustUsage(t, s, "p"); u != (Usage{Keys: 2, Bytes: 8}) {
		t.Errorf("Usage = %+v, want 2 keys, 8 bytes", u)
	}
	// A key may hold any valid UTF-8, NUL included.
	mustApply(t, s, "p", put("a\x00b", "nul"), put("日本", "jp"))
	if v, ok := mustGet(t, s, "p", "a\x00b"); !ok || string(v) != "nul" {
		t.Errorf("Get(a NUL b) = %q, %v", v, ok)
	}
	if v, ok := mustGet(t, s, "p", "日本"); !ok || string(v) != "jp" {
		t.Errorf("Get(日本) = %q, %v", v, ok)
	}
	if err := s.Apply(bg(), "p", nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

// scanKeys mixes ASCII, separators, NUL and multi-byte runes whose byte
// order differs from a locale's collation ("é" sorts after "z" bytewise).
var scanKeys = []string{
	"a", "a/1", "a/10", "a/2", "a/b/c", "a\x00", "ab", "b", "z", "é", "éa", "\U0010FFFF", "\U0010FFFFx", "A", "_",
}

func testScan(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	var batch []Write
	for _, k := range scanKeys {
		batch = append(batch, put(k, "v:"+k))
	}
	mustApply(t, s, "p", batch...)
	sorted := slices.Clone(scanKeys)
	sort.Strings(sorted) // Go compares strings bytewise

	all := mustScan(t, s, "p", "", "", 1000)
	if got := keysOf(all); !slices.Equal(got, sorted) {
		t.Fatalf("full scan order\n got %q\nwant %q", got, sorted)
	}
	for _, kv := range all {
		if string(kv.Value) != "v:"+kv.Key {
			t.Errorf("value of %q = %q", kv.Key, kv.Value)
		}
	}

	cases := []struct {
		prefix, after string
		limit         int
		want          []string
	}{
		{"a/", "", 10, []string{"a/1", "a/10", "a/2", "a/b/c"}},
		{"a/", "", 2, []string{"a/1", "a/10"}},
		{"a/", "a/10", 10, []string{"a/2", "a/b/c"}},
		{"a/", "a/11", 10, []string{"a/2", "a/b/c"}}, // after need not exist
		{"a/", "a/b/c", 10, nil},
		{"a/", "zzz", 10, nil},
		{"a/", "", 0, nil},
		{"a/", "", -1, nil},
		{"a", "", 100, []string{"a", "a\x00", "a/1", "a/10", "a/2", "a/b/c", "ab"}},
		{"a", "a", 1, []string{"a\x00"}},
		{"a", "a\x00", 1, []string{"a/1"}},
		{"é", "", 10, []string{"é", "éa"}},
		{"\U0010FFFF", "", 10, []string{"\U0010FFFF", "\U0010FFFFx"}},
		{"q", "", 10, nil},
		{"", "z", 10, []string{"é", "éa", "\U0010FFFF", "\U0010FFFFx"}},
		{"a/1", "", 10, []string{"a/1", "a/10"}},
	}
	for _, c := range cases {
		got := keysOf(mustScan(t, s, "p", c.prefix, c.after, c.limit))
		if len(got) == 0 {
			got = nil
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Scan(prefix %q, after %q, limit %d)\n got %q\nwant %q", c.prefix, c.after, c.limit, got, c.want)
		}
	}

	// Paging with after visits every key once, in order.
	var paged []string
	after := ""
	for {
		page := mustScan(t, s, "p", "", after, 4)
		paged = append(paged, keysOf(page)...)
		if len(page) < 4 {
			break
		}
		after = page[len(page)-1].Key
	}
	if !slices.Equal(paged, sorted) {
		t.Errorf("paged scan\n got %q\nwant %q", paged, sorted)
	}
	if got := mustScan(t, s, "empty-ns", "", "", 10); len(got) != 0 {
		t.Errorf("scan of an empty namespace = %v", got)
	}
	// A returned value is the caller's.
	first := mustScan(t, s, "p", "a", "", 1)
	first[0].Value[0] = 'X'
	if v, _ := mustGet(t, s, "p", "a"); string(v) != "v:a" {
		t.Errorf("changing a scanned value changed the store: %q", v)
	}
}

func testNamespaces(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	mustApply(t, s, "one", put("k", "1"), put("shared/x", "1"))
	mustApply(t, s, "two", put("k", "2"))
	// Namespaces that would collide under a naive "ns/key" encoding.
	mustApply(t, s, "a", put("b/x", "from a"))
	mustApply(t, s, "a/b", put("x", "from a/b"))

	if v, _ := mustGet(t, s, "one", "k"); string(v) != "1" {
		t.Errorf("one/k = %q", v)
	}
	if v, _ := mustGet(t, s, "two", "k"); string(v) != "2" {
		t.Errorf("two/k = %q", v)
	}
	if _, ok := mustGet(t, s, "two", "shared/x"); ok {
		t.Error("two sees one's key")
	}
	if got := keysOf(mustScan(t, s, "two", "", "", 10)); !slices.Equal(got, []string{"k"}) {
		t.Errorf("scan two = %q", got)
	}
	if got := keysOf(mustScan(t, s, "a", "", "", 10)); !slices.Equal(got, []string{"b/x"}) {
		t.Errorf("scan a = %q", got)
	}
	if got := keysOf(mustScan(t, s, "a/b", "", "", 10)); !slices.Equal(got, []string{"x"}) {
		t.Errorf("scan a/b = %q", got)
	}
	mustApply(t, s, "one", del("k"))
	if v, ok := mustGet(t, s, "two", "k"); !ok || string(v) != "2" {
		t.Errorf("deleting one/k touched two/k: %q, %v", v, ok)
	}
	if u := mustUsage(t, s, "two"); u != (Usage{Keys: 1, Bytes: 2}) {
		t.Errorf("usage of two = %+v", u)
	}
	if u := mustUsage(t, s, "one"); u != (Usage{Keys: 1, Bytes: 9}) {
		t.Errorf("usage of one = %+v", u)
	}
	if u := mustUsage(t, s, "nobody"); u != (Usage{}) {
		t.Errorf("usage of an unused namespace = %+v", u)
	}
	for _, ns := range []string{"", "bad\xff", "nul\x00", strings.Repeat("n", 256)} {
		if err := s.Apply(bg(), ns, []Write{put("k", "v")}); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Apply to namespace %q: %v, want ErrInvalidKey", ns, err)
		}
		if _, _, err := s.Get(bg(), ns, "k"); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get in namespace %q: %v, want ErrInvalidKey", ns, err)
		}
	}
}

func testBatchOrder(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	mustApply(t, s, "p", put("k", "1"), put("k", "22"), put("gone", "x"), del("gone"), del("back"), put("back", "333"))
	if v, _ := mustGet(t, s, "p", "k"); string(v) != "22" {
		t.Errorf("k = %q, want the last put", v)
	}
	if _, ok := mustGet(t, s, "p", "gone"); ok {
		t.Error("put then delete in one batch left the key")
	}
	if v, _ := mustGet(t, s, "p", "back"); string(v) != "333" {
		t.Errorf("delete then put: %q", v)
	}
	if u := mustUsage(t, s, "p"); u != (Usage{Keys: 2, Bytes: 3 + 7}) {
		t.Errorf("usage = %+v, want 2 keys, 10 bytes", u)
	}
}

func testQuota(t *testing.T, b backend) {
	s := b.fresh(t, Limits{MaxNamespaceBytes: 100})
	mustApply(t, s, "p", put("base", strings.Repeat("b", 36))) // 40 bytes
	// 40 + 3*(2+18) = 100 is allowed, but first a batch that would end at
	// 101 applies nothing, not even its first writes.
	err := s.Apply(bg(), "p", []Write{put("k1", strings.Repeat("x", 18)), put("k2", strings.Repeat("x", 18)), put("k3", strings.Repeat("x", 19))})
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("over-quota batch: %v, want ErrQuotaExceeded", err)
	}
	for _, want := range []string{"MaxNamespaceBytes", "100", "101", `"p"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("quota error %q does not say %q", err, want)
		}
	}
	for _, k := range []string{"k1", "k2", "k3"} {
		if _, ok := mustGet(t, s, "p", k); ok {
			t.Errorf("%s was written by a refused batch", k)
		}
	}
	if u := mustUsage(t, s, "p"); u != (Usage{Keys: 1, Bytes: 40}) {
		t.Errorf("usage after a refused batch = %+v", u)
	}
	mustApply(t, s, "p", put("k1", strings.Repeat("x", 18)), put("k2", strings.Repeat("x", 18)), put("k3", strings.Repeat("x", 18)))
	if u := mustUsage(t, s, "p"); u != (Usage{Keys: 4, Bytes: 100}) {
		t.Errorf("usage at the limit = %+v", u)
	}
	// Full: one more byte is refused, an overwrite with a smaller value
	// and a delete are not; a batch freeing room and using it at once is.
	if err := s.Apply(bg(), "p", []Write{put("x", "")}); !errors.Is(err, ErrQuotaExceeded) {
		t.Errorf("one more byte: %v", err)
	}
	mustApply(t, s, "p", put("k1", "small"))
	mustApply(t, s, "p", del("k2"), put("k4", strings.Repeat("y", 18)))
	if u := mustUsage(t, s, "p"); u != (Usage{Keys: 4, Bytes: 40 + 7 + 20 + 20}) {
		t.Errorf("usage = %+v", u)
	}
	// Quotas are per namespace.
	mustApply(t, s, "other", put("k", strings.Repeat("z", 98)))
}

// testQuotaLowered reopens a namespace under a limit it is already over:
// it may shrink, never grow.
func testQuotaLowered(t *testing.T, b backend) {
	target := b.target(t)
	s := b.open(t, target, Limits{})
	mustApply(t, s, "p", put("a", strings.Repeat("a", 99)), put("b", strings.Repeat("b", 99)))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = b.open(t, target, Limits{MaxNamespaceBytes: 50})
	if err := s.Apply(bg(), "p", []Write{put("c", "c")}); !errors.Is(err, ErrQuotaExceeded) {
		t.Errorf("growing an over-quota namespace: %v", err)
	}
	mustApply(t, s, "p", put("a", "smaller")) // 200 → 108
	mustApply(t, s, "p", del("b"))            // 108 → 8
	mustApply(t, s, "p", put("c", "c"))       // 8 → 10, under the limit again
	if u := mustUsage(t, s, "p"); u != (Usage{Keys: 2, Bytes: 10}) {
		t.Errorf("usage = %+v", u)
	}
}

func testSizeErrors(t *testing.T, b backend) {
	s := b.fresh(t, Limits{MaxKeyBytes: 8, MaxValueBytes: 16})
	cases := []struct {
		w     Write
		err   error
		words []string
	}{
		{put("", "v"), ErrInvalidKey, []string{"empty key"}},
		{put("bad\xff", "v"), ErrInvalidKey, []string{"UTF-8"}},
		{put("123456789", "v"), ErrKeyTooLarge, []string{"MaxKeyBytes", "9 bytes", "8"}},
		{del("123456789"), ErrKeyTooLarge, []string{"MaxKeyBytes"}},
		{put("k", strings.Repeat("v", 17)), ErrValueTooLarge, []string{"MaxValueBytes", "17 bytes", "16", `"k"`}},
	}
	for _, c := range cases {
		// The bad write comes after a good one: nothing of the batch lands.
		err := s.Apply(bg(), "p", []Write{put("good", "g"), c.w})
		if !errors.Is(err, c.err) {
			t.Errorf("Apply(%q, %d-byte value): %v, want %v", c.w.Key, len(c.w.Value), err, c.err)
			continue
		}
		for _, w := range c.words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
		if _, ok := mustGet(t, s, "p", "good"); ok {
			t.Errorf("a batch refused for %v wrote its good write", c.err)
		}
	}
	mustApply(t, s, "p", put("12345678", strings.Repeat("v", 16))) // exactly at both limits
	if _, _, err := s.Get(bg(), "p", "123456789"); !errors.Is(err, ErrKeyTooLarge) {
		t.Errorf("Get with a too-long key: %v", err)
	}
	if _, _, err := s.Get(bg(), "p", ""); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Get with an empty key: %v", err)
	}
	if _, err := s.Scan(bg(), "p", "bad\xff", "", 1); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Scan with an invalid prefix: %v", err)
	}
}

// testUsageModel applies random batches (puts, overwrites, deletes, repeats
// of a key within a batch) and compares usage and contents with a map.
func testUsageModel(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	rng := rand.New(rand.NewPCG(1, 2))
	model := map[string][]byte{}
	for round := range 60 {
		var batch []Write
		for range 1 + rng.IntN(8) {
			k := fmt.Sprintf("k%02d", rng.IntN(20))
			if rng.IntN(3) == 0 {
				batch = append(batch, del(k))
			} else {
				batch = append(batch, Write{Key: k, Value: bytes.Repeat([]byte{byte('a' + round%26)}, rng.IntN(50))})
			}
		}
		mustApply(t, s, "m", batch...)
		for _, w := range batch {
			if w.Delete {
				delete(model, w.Key)
			} else {
				model[w.Key] = w.Value
			}
		}
		var want Usage
		for k, v := range model {
			want.Keys++
			want.Bytes += int64(len(k) + len(v))
		}
		if got := mustUsage(t, s, "m"); got != want {
			t.Fatalf("round %d: usage %+v, model %+v", round, got, want)
		}
	}
	all := mustScan(t, s, "m", "", "", 1000)
	if len(all) != len(model) {
		t.Fatalf("store has %d keys, model %d", len(all), len(model))
	}
	for _, kv := range all {
		if !bytes.Equal(kv.Value, model[kv.Key]) {
			t.Errorf("%s = %q, model %q", kv.Key, kv.Value, model[kv.Key])
		}
	}
	// Deleting everything brings usage back to zero.
	var batch []Write
	for k := range model {
		batch = append(batch, del(k))
	}
	mustApply(t, s, "m", batch...)
	if u := mustUsage(t, s, "m"); u != (Usage{}) {
		t.Errorf("usage of an emptied namespace = %+v", u)
	}
	mustApply(t, s, "m", put("again", "x")) // an emptied namespace is usable
	if u := mustUsage(t, s, "m"); u != (Usage{Keys: 1, Bytes: 6}) {
		t.Errorf("usage = %+v", u)
	}
}

func testReopen(t *testing.T, b backend) {
	target := b.target(t)
	s := b.open(t, target, Limits{})
	mustApply(t, s, "p", put("k", "durable"), put("k2", "x"))
	mustApply(t, s, "q", put("k", "other"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = b.open(t, target, Limits{})
	if v, ok := mustGet(t, s, "p", "k"); !ok || string(v) != "durable" {
		t.Errorf("after reopen: %q, %v", v, ok)
	}
	if u := mustUsage(t, s, "p"); u != (Usage{Keys: 2, Bytes: 8 + 3}) {
		t.Errorf("usage after reopen = %+v", u)
	}
	if got := keysOf(mustScan(t, s, "q", "", "", 10)); !slices.Equal(got, []string{"k"}) {
		t.Errorf("q after reopen: %q", got)
	}
}

func testCloseTwice(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	mustApply(t, s, "p", put("k", "v"))
	if err := s.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := s.Get(bg(), "p", "k"); err == nil {
		t.Error("Get after Close succeeded")
	}
	if err := s.Apply(bg(), "p", []Write{put("k", "v")}); err == nil {
		t.Error("Apply after Close succeeded")
	}
}

// testConcurrentApply runs writers on their own namespaces and on one shared
// namespace at once (run with -race); afterwards every namespace's usage
// must match its contents.
func testConcurrentApply(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	const writers, rounds = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds*2)
	for w := range writers {
		wg.Go(func() {
			own := fmt.Sprintf("own%d", w)
			for r := range rounds {
				v := strings.Repeat("v", r)
				if err := s.Apply(bg(), own, []Write{put(fmt.Sprintf("k%d", r%5), v), put("last", v)}); err != nil {
					errs <- err
				}
				// Shared keys overwritten by everyone, and keys of one's own.
				if err := s.Apply(bg(), "shared", []Write{put(fmt.Sprintf("k%d", r%4), v), put(fmt.Sprintf("w%d-%d", w, r), "x")}); err != nil {
					errs <- err
				}
				if _, err := s.Scan(bg(), "shared", "k", "", 10); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, ns := range []string{"own0", fmt.Sprintf("own%d", writers-1), "shared"} {
		var want Usage
		for _, kv := range mustScan(t, s, ns, "", "", 10000) {
			want.Keys++
			want.Bytes += int64(len(kv.Key) + len(kv.Value))
		}
		if got := mustUsage(t, s, ns); got != want {
			t.Errorf("%s: usage %+v, contents %+v", ns, got, want)
		}
	}
	if u := mustUsage(t, s, "shared"); u.Keys != 4+writers*rounds {
		t.Errorf("shared has %d keys, want %d", u.Keys, 4+writers*rounds)
	}
}

// testConcurrentQuota races writers for the last bytes of a quota: exactly
// as many succeed as fit.
func testConcurrentQuota(t *testing.T, b backend) {
	s := b.fresh(t, Limits{MaxNamespaceBytes: 1000})
	const writers = 24
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			err := s.Apply(bg(), "p", []Write{put(fmt.Sprintf("k%02d", w), strings.Repeat("v", 97))}) // 100 bytes
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrQuotaExceeded):
				refused.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 10 || refused.Load() != writers-10 {
		t.Errorf("%d writes succeeded and %d were refused; want 10 and %d", ok.Load(), refused.Load(), writers-10)
	}
	if u := mustUsage(t, s, "p"); u != (Usage{Keys: 10, Bytes: 1000}) {
		t.Errorf("usage = %+v", u)
	}
}

func testCancelled(t *testing.T, b backend) {
	s := b.fresh(t, Limits{})
	ctx, cancel := context.WithCancel(bg())
	cancel()
	if err := s.Apply(ctx, "p", []Write{put("k", "v")}); !errors.Is(err, context.Canceled) {
		t.Errorf("Apply with a cancelled context: %v", err)
	}
	if _, _, err := s.Get(ctx, "p", "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context: %v", err)
	}
	if _, ok := mustGet(t, s, "p", "k"); ok {
		t.Error("a cancelled Apply wrote")
	}
}
