package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// testScanBytes: a scan whose pairs total more than MaxScanBytes fails with
// ErrScanTooLarge, whatever its limit, and one within it returns in full;
// the bound counts keys and values, over the prefix and after `after`.
func testScanBytes(t *testing.T, b backend) {
	// Ten pairs of 2+98 = 100 bytes under "k/", and a big one elsewhere.
	lim := Limits{MaxKeyBytes: 100, MaxValueBytes: 1000, MaxTxnBytes: 1100 + writeCost, MaxScanBytes: 1100}
	s := b.fresh(t, lim)
	var batch []Write
	for i := range 10 {
		batch = append(batch, Write{Key: fmt.Sprintf("k%d", i), Value: make([]byte, 98)})
	}
	batch = append(batch, Write{Key: "z", Value: make([]byte, 1000)})
	mustApply(t, s, "p", batch...)

	if got := mustScan(t, s, "p", "k", "", 100); len(got) != 10 {
		t.Errorf("1,000 bytes under a 1,100-byte bound: %d pairs, want 10", len(got))
	}
	_, err := s.Scan(bg(), "p", "", "", 100)
	if !errors.Is(err, ErrScanTooLarge) {
		t.Fatalf("scan of 2,001 bytes under a 1,100-byte bound: %v, want ErrScanTooLarge", err)
	}
	for _, want := range []string{"MaxScanBytes", "store.max_scan_bytes", "1100", "fewer pairs"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if _, err := s.Scan(bg(), "p", "", "k4", 6); !errors.Is(err, ErrScanTooLarge) {
		t.Errorf("k5…k9 and z (1,501 bytes): %v, want ErrScanTooLarge", err)
	}
	if got := mustScan(t, s, "p", "", "k4", 5); len(got) != 5 {
		t.Errorf("k5…k9 (500 bytes): %d pairs", len(got))
	}
	if got := mustScan(t, s, "p", "z", "", 10); len(got) != 1 {
		t.Errorf("one pair of the largest size: %d pairs, want 1", len(got))
	}
}

func TestTxnMaxTxnBytes(t *testing.T) {
	// A put of "kN" and 90 bytes holds 2 + 90 + writeCost = 156 bytes.
	const pair = 2 + 90 + writeCost
	lim := Limits{MaxKeyBytes: 10, MaxValueBytes: 100, MaxTxnBytes: 610}
	s, x := txnOver(t, lim, "stored", "v")
	val := make([]byte, 90)
	for i := range 3 { // 3 × 156 = 468
		if err := x.Put(fmt.Sprintf("k%d", i), val); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	// Overwriting a key replaces its size rather than adding to it.
	if err := x.Put("k0", val); err != nil {
		t.Errorf("overwrite within the bound: %v", err)
	}
	if err := x.Put("k3", val); !errors.Is(err, ErrTxnTooLarge) {
		t.Fatalf("put past the bound: %v, want ErrTxnTooLarge", err)
	} else {
		for _, want := range []string{`"k3"`, strconv.Itoa(4 * pair), "MaxTxnBytes", "store.max_txn_bytes", "610"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q does not say %q", err, want)
			}
		}
	}
	// The refused put poisons the call: the guest may ignore the error,
	// the commit does not.
	if err := x.Commit(bg()); !errors.Is(err, ErrTxnTooLarge) {
		t.Errorf("Commit after a refused put: %v, want ErrTxnTooLarge", err)
	}
	if _, found := mustGet(t, s, "p", "k0"); found {
		t.Error("a refused call's writes were kept")
	}

	// Deletes count their key and writeCost; a delete that replaces a put
	// frees its value.
	x.Discard()
	for i := range 3 {
		if err := x.Put(fmt.Sprintf("k%d", i), val); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Delete("k0"); err != nil { // 468 - 156 + 66 = 378
		t.Fatal(err)
	}
	if err := x.Put("k3", val); err != nil { // 534
		t.Errorf("put after a delete freed room: %v", err)
	}
	if err := x.Delete("0123456789"); err != nil { // 608
		t.Errorf("delete within the bound: %v", err)
	}
	if err := x.Delete("abcdefghij"); !errors.Is(err, ErrTxnTooLarge) { // 682
		t.Errorf("delete past the bound: %v, want ErrTxnTooLarge", err)
	}
	x.Discard()

	// Many empty writes of short keys: each holds writeCost, so they are
	// bounded by count as well as by bytes.
	for i := 0; ; i++ {
		if err := x.Put(strconv.Itoa(i), nil); errors.Is(err, ErrTxnTooLarge) {
			if i > 610/writeCost {
				t.Errorf("%d empty writes fit in 610 bytes", i)
			}
			break
		}
	}
	x.Discard()

	// Reads count their key and a 32-byte digest; a refused read does not
	// poison what was written.
	if err := x.Put("w", []byte("1")); err != nil {
		t.Fatal(err)
	}
	reads := 0
	for ; reads < 100; reads++ {
		_, _, err := x.Get(bg(), fmt.Sprintf("r%03d", reads))
		if errors.Is(err, ErrTxnTooLarge) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if want := (610 - 2 - writeCost) / (4 + readCost); reads != want {
		t.Errorf("%d reads fit, want %d", reads, want)
	}
	if err := x.Commit(bg()); err != nil {
		t.Errorf("Commit after a refused read: %v", err)
	}
	if v, _ := mustGet(t, s, "p", "w"); string(v) != "1" {
		t.Errorf("w = %q", v)
	}
}

// TestTxnScanBytes: the call's own buffered puts count against
// MaxScanBytes like stored pairs.
func TestTxnScanBytes(t *testing.T) {
	lim := Limits{MaxKeyBytes: 10, MaxValueBytes: 100, MaxTxnBytes: 1000, MaxScanBytes: 250}
	_, x := txnOver(t, lim, "a", strings.Repeat("x", 99), "c", strings.Repeat("x", 99))
	if got := txnScan(t, x, "", 10); len(got) != 2 {
		t.Fatalf("200 bytes: %q", got)
	}
	if err := x.Put("b", make([]byte, 99)); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Scan(bg(), "", 10); !errors.Is(err, ErrScanTooLarge) {
		t.Errorf("300 bytes with a buffered put: %v, want ErrScanTooLarge", err)
	}
	if got := txnScan(t, x, "", 2); len(got) != 2 {
		t.Errorf("limit 2: %q", got)
	}
	if err := x.Delete("c"); err != nil {
		t.Fatal(err)
	}
	if got := txnScan(t, x, "", 10); len(got) != 2 {
		t.Errorf("after deleting c: %q", got)
	}
}
