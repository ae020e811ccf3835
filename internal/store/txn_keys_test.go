package store

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// The Txn copies the keys it keeps: a caller may pass views of a buffer it
// then overwrites (as the kv capabilities pass views of guest memory), and
// the writes, the reads remembered for the conflict check and the commit
// still name the keys as they were.
func TestTxnCopiesTheKeysItKeeps(t *testing.T) {
	lim := Limits{MaxKeyBytes: keyChunk}
	s := boltBackend.fresh(t, lim)
	mustApply(t, s, "a", put("read1", "r"), put("read2", "r"))
	buf := make([]byte, 0, keyChunk)
	// key puts k into buf and returns a view of it, valid until the next call.
	key := func(k string) string {
		buf = append(buf[:0], k...)
		return unsafe.String(unsafe.SliceData(buf), len(buf))
	}
	long := strings.Repeat("L", keyChunk/4+1) // kept in an allocation of its own
	txn := NewTxn(s, "a", lim)
	for _, k := range []string{"put1", "put2", long} {
		if err := txn.Put(key(k), []byte("v-"+k[:1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := txn.Put(key("put1"), []byte("again")); err != nil { // an existing entry, a new view
		t.Fatal(err)
	}
	if err := txn.Delete(key("del1")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := txn.Get(bg(), key("read1")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := txn.GetMany(bg(), []string{key("read2")}, 1<<20); err != nil {
		t.Fatal(err)
	}
	key(strings.Repeat("z", keyChunk)) // overwrite every view
	if v, ok, err := txn.Get(bg(), "put1"); err != nil || !ok || string(v) != "again" {
		t.Errorf("put1 in the Txn = %q, %v, %v", v, ok, err)
	}
	// read2 was remembered under its own name: changing it is a conflict.
	mustApply(t, s, "a", put("read2", "changed"))
	if err := txn.Commit(bg()); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), `"read2"`) {
		t.Fatalf("Commit after read2 changed: %v, want ErrConflict naming read2", err)
	}
	mustApply(t, s, "a", put("read2", "r"))
	if err := txn.Commit(bg()); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"put1": "again", "put2": "v-p", long: "v-L", "read1": "r"} {
		if v, ok, err := s.Get(bg(), "a", k); err != nil || !ok || string(v) != want {
			t.Errorf("%.10s = %q, %v, %v; want %q", k, v, ok, err, want)
		}
	}
	if u, err := s.Usage(bg(), "a"); err != nil || u.Keys != 5 {
		t.Errorf("usage %+v, %v: want 5 keys (read1, read2, put1, put2, the long one)", u, err)
	}
}
