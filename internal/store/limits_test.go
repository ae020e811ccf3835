package store

import (
	"errors"
	"strings"
	"testing"
)

func TestLimitsDefaults(t *testing.T) {
	got := Limits{MaxValueBytes: -1}.withDefaults()
	want := Limits{MaxKeyBytes: 1 << 10, MaxValueBytes: 1 << 20, MaxNamespaceBytes: 256 << 20, MaxTxnBytes: 8 << 20, MaxScanBytes: 8 << 20}
	if got != want {
		t.Errorf("withDefaults = %+v, want %+v", got, want)
	}
	set := Limits{MaxKeyBytes: 5, MaxValueBytes: 6, MaxNamespaceBytes: 7, MaxTxnBytes: 8, MaxScanBytes: 9}
	if got := set.withDefaults(); got != set {
		t.Errorf("withDefaults changed set limits: %+v", got)
	}
}

// TestLimitsValidate: a call must be able to hold, and a scan to return,
// one pair of the largest size; the errors name the configuration keys.
func TestLimitsValidate(t *testing.T) {
	if err := (Limits{}).Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	// A call holds a write's key, value and writeCost (110 + 64 = 174);
	// a scan returns a pair's key and value (110).
	err := Limits{MaxKeyBytes: 10, MaxValueBytes: 100, MaxTxnBytes: 173, MaxScanBytes: 109}.Validate()
	for _, want := range []string{"store.max_txn_bytes 173", "(174)", "store.max_scan_bytes 109", "(110)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to say %q", err, want)
		}
	}
	if err := (Limits{MaxKeyBytes: 10, MaxValueBytes: 100, MaxTxnBytes: 174, MaxScanBytes: 110}).Validate(); err != nil {
		t.Errorf("exactly one write and one pair: %v", err)
	}
}

func TestCheckQuota(t *testing.T) {
	l := Limits{MaxNamespaceBytes: 100}
	for _, c := range []struct {
		before, after int64
		ok            bool
	}{
		{0, 100, true},
		{0, 101, false},
		{90, 101, false},
		{200, 150, true}, // over a lowered limit, but shrinking
		{200, 200, true},
		{150, 151, false},
	} {
		err := l.checkQuota("ns", c.before, c.after)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrQuotaExceeded)) {
			t.Errorf("checkQuota(%d → %d) = %v, want ok=%v", c.before, c.after, err, c.ok)
		}
	}
}

func TestQuoteTruncates(t *testing.T) {
	long := strings.Repeat("k", 1000)
	q := quote(long)
	if len(q) > 100 || !strings.Contains(q, "1000 bytes") {
		t.Errorf("quote of a 1000-byte key = %q", q)
	}
	if got := quote("a\x00"); got != `"a\x00"` {
		t.Errorf("quote = %s", got)
	}
	err := Limits{MaxKeyBytes: 10}.withDefaults().checkKey("put", long)
	if !errors.Is(err, ErrKeyTooLarge) || len(err.Error()) > 200 {
		t.Errorf("error for a 1000-byte key: %v", err)
	}
}
