package recordsvc

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEncodeAtSortsLikeTime(t *testing.T) {
	times := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 3, 1, 12, 0, 0, 5, time.UTC),
		time.Date(2024, 3, 1, 12, 0, 0, 50, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
	}
	for i, tm := range times {
		enc := encodeAt(tm)
		if len(enc) != atLen {
			t.Errorf("encodeAt(%v) = %q, %d bytes", tm, enc, len(enc))
		}
		if back, err := decodeAt(enc); err != nil || !back.Equal(tm) {
			t.Errorf("decodeAt(%q) = %v, %v; want %v", enc, back, err, tm)
		}
		if i > 0 && encodeAt(times[i-1]) >= enc {
			t.Errorf("encodeAt(%v) = %q sorts before %q", tm, enc, encodeAt(times[i-1]))
		}
	}
	if got := encodeAt(time.Date(2024, 3, 1, 13, 0, 0, 7, time.FixedZone("x", 3600))); got != "20240301120000000000007" {
		t.Errorf("encodeAt of a time with an offset = %q: want UTC", got)
	}
}

func TestDecodeAtRejects(t *testing.T) {
	for _, s := range []string{
		"",
		"2024030112000000000000",   // 22 digits
		"202403011200000000000000", // 24
		"20241301120000000000000",  // month 13
		"20240230120000000000000",  // February 30
		"20240301240000000000000",  // hour 24
		"2024030112000000000000x",
		"+0240301120000000000000",
		"2024-301120000000000000",
	} {
		if tm, err := decodeAt(s); err == nil {
			t.Errorf("decodeAt(%q) = %v, want an error", s, tm)
		}
	}
}

func TestEscape(t *testing.T) {
	for _, s := range []string{"plain", "a/b", "%", "%2F", "a%25/b//", "", "%252F", "%2"} {
		e := escape(s)
		if strings.Contains(e, "/") || unescape(e) != s {
			t.Errorf("escape(%q) = %q, unescaped %q", s, e, unescape(e))
		}
	}
	if strings.HasPrefix(sourceBase("b/c"), sourceBase("b")) {
		t.Error("source b/c's keys start with source b's prefix")
	}
}

// TestAtPrefixesCoverExactlyTheRange checks atPrefixes against the
// definition on random ranges and times, and its cost.
func TestAtPrefixesCoverExactlyTheRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randomAt := func() string {
		base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		switch rng.IntN(4) {
		case 0: // anywhere
			base = time.Date(1+rng.IntN(9999), 1, 1, 0, 0, 0, 0, time.UTC)
			return encodeAt(base.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))))
		case 1: // whole seconds, as Python sends them
			return encodeAt(base.Add(time.Duration(rng.IntN(100000)) * time.Second))
		default: // close together, to hit the edges
			return encodeAt(base.Add(time.Duration(rng.IntN(3000))))
		}
	}
	maxPrefixes := 0
	for range 2000 {
		lo, hi := randomAt(), randomAt()
		switch rng.IntN(5) {
		case 0:
			lo = ""
		case 1:
			hi = ""
		}
		ps := atPrefixes(lo, hi)
		maxPrefixes = max(maxPrefixes, len(ps))
		if len(ps) > 2*9*atLen {
			t.Fatalf("atPrefixes(%q, %q): %d prefixes", lo, hi, len(ps))
		}
		for i := 1; i < len(ps); i++ {
			if ps[i-1] >= ps[i] || strings.HasPrefix(ps[i], ps[i-1]) {
				t.Fatalf("atPrefixes(%q, %q) = %v: not sorted and disjoint", lo, hi, ps)
			}
		}
		for _, at := range append([]string{lo, hi}, randomAt(), randomAt(), randomAt()) {
			if at == "" {
				continue
			}
			in := at >= lo && (hi == "" || at < hi)
			covered := slices.ContainsFunc(ps, func(p string) bool { return strings.HasPrefix(at, p) })
			if in != covered {
				t.Fatalf("atPrefixes(%q, %q) = %v: %q in range %v, covered %v", lo, hi, ps, at, in, covered)
			}
		}
	}
	t.Logf("at most %d prefixes for a range", maxPrefixes)
	// Clients send whole seconds (XML-RPC's dateTime has no fraction).
	maxPrefixes = 0
	for range 2000 {
		a := time.Date(1900+rng.IntN(200), 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(365*24*time.Hour))) / time.Second * time.Second)
		b := a.Add(time.Duration(rng.Int64N(int64(30*24*time.Hour))) / time.Second * time.Second)
		maxPrefixes = max(maxPrefixes, len(atPrefixes(encodeAt(a), encodeAt(b))))
	}
	t.Logf("at most %d prefixes for a range between whole seconds", maxPrefixes)
	if maxPrefixes > 2*9*14 {
		t.Errorf("whole seconds: %d prefixes, want at most %d", maxPrefixes, 2*9*14)
	}
	if got := atPrefixes("", ""); !slices.Equal(got, []string{""}) {
		t.Errorf("atPrefixes unbounded = %q", got)
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if got := atPrefixes(encodeAt(day), encodeAt(day.AddDate(0, 0, 1))); !slices.Equal(got, []string{"20240301"}) {
		t.Errorf("atPrefixes for one day = %q", got)
	}
}
