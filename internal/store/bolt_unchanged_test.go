package store

import (
	"strconv"
	"testing"
)

// A put of the value a key already holds writes no page: ApplyIf skips it,
// and the usage record with it when nothing changed. The state afterwards
// is the same as with the put, including in a batch that changes a key and
// changes it back.
func TestBoltSkipsUnchangedPuts(t *testing.T) {
	s := boltBackend.fresh(t, Limits{})
	batch := func(v string) []Write {
		var b []Write
		for i := range 200 {
			b = append(b, put("k"+strconv.Itoa(i), v))
		}
		return b
	}
	mustApply(t, s, "a", batch("same")...)
	pagesWritten := func(f func()) int64 {
		before := s.(*boltStore).db.Stats().TxStats
		f()
		after := s.(*boltStore).db.Stats().TxStats
		return after.GetWrite() - before.GetWrite()
	}
	same := pagesWritten(func() { mustApply(t, s, "a", batch("same")...) })
	changed := pagesWritten(func() { mustApply(t, s, "a", batch("diff")...) })
	t.Logf("pages written: %d by 200 unchanged puts, %d by 200 changed ones", same, changed)
	if same >= changed { // without the skip: 7 and 7; with it, the freelist's (and meta's) pages only
		t.Errorf("200 unchanged puts wrote %d pages, as many as changed ones (%d)", same, changed)
	}
	// Changed, changed back, in one batch: the last write wins as ever.
	mustApply(t, s, "a", put("k1", "x"), put("k1", "diff"), put("k2", "same"), put("k2", "diff"))
	for k, want := range map[string]string{"k1": "diff", "k2": "diff", "k3": "diff"} {
		if v, ok, err := s.Get(bg(), "a", k); err != nil || !ok || string(v) != want {
			t.Errorf("%s = %q, %v, %v; want %q", k, v, ok, err, want)
		}
	}
	if u, err := s.Usage(bg(), "a"); err != nil || u.Keys != 200 || u.Bytes != int64(200*4+len(batchKeys(200))) {
		t.Errorf("usage = %+v, %v; want 200 keys, %d bytes", u, err, 200*4+len(batchKeys(200)))
	}
}

// batchKeys is the keys k0…k(n-1) run together, for their total length.
func batchKeys(n int) string {
	var s string
	for i := range n {
		s += "k" + strconv.Itoa(i)
	}
	return s
}
