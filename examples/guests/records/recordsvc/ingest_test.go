package recordsvc

import (
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// FuzzStoredSourceAt: the in-place reader of a stored record agrees with
// decodeRecord whenever it accepts, and accepts what value writes.
func FuzzStoredSourceAt(f *testing.F) {
	var st batchState
	for _, r := range []Record{
		{Source: "s", At: time.Unix(5, 0).UTC(), Value: 1.5, Tags: []string{"a", "b"}},
		{Source: "s/ü", At: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Value: -1, Tags: noTags},
		{Source: "x", At: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Value: 0, Tags: noTags},
	} {
		b, err := st.value(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append([]byte(nil), b...))
	}
	old, _ := abi.AppendValue(nil, []any{int64(1), "s", time.Unix(5, 0).UTC(), 2.0, []any{"a"}})
	f.Add(old)
	f.Fuzz(func(t *testing.T, b []byte) {
		source, at, ok := storedSourceAt(b)
		if !ok {
			return
		}
		r, err := decodeRecord("id", b)
		if err != nil {
			t.Fatalf("% x: read in place, but decodeRecord: %v", b, err)
		}
		if r.Source != string(source) || !r.At.Equal(at) || r.At.Location() != at.Location() {
			t.Fatalf("% x: in place %q %v, decodeRecord %q %v", b, source, at, r.Source, r.At)
		}
	})
}

func TestValueIsTheStoredForm(t *testing.T) {
	var st batchState
	r := Record{Source: "s1", At: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Value: 2.5, Tags: []string{"a", "é"}}
	got, err := st.value(r)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := abi.AppendValue(nil, []any{int64(1), "s1", r.At, 2.5, []any{"a", "é"}})
	if string(got) != string(want) {
		t.Fatalf("value = % x, want % x", got, want)
	}
	if _, _, ok := storedSourceAt(got); !ok {
		t.Fatal("storedSourceAt refuses what value writes")
	}
	// A second value does not overwrite the first.
	first := string(got)
	if _, err := st.value(Record{Source: "zz", At: r.At, Tags: noTags}); err != nil || string(got) != first {
		t.Fatalf("the first value changed: % x", got)
	}
}

func TestAppendAtIsEncodeAt(t *testing.T) {
	ts := []time.Time{time.Unix(minUnix, 0), time.Unix(maxUnix, 999999999), time.Unix(0, 0), time.Unix(-1, 5),
		time.Date(2000, 2, 29, 23, 59, 59, 1, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1600, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)}
	for sec := int64(minUnix); sec < maxUnix; sec += 86400*37 + 3607 {
		ts = append(ts, time.Unix(sec, sec%1000000000).UTC())
	}
	for _, tm := range ts {
		if got, want := string(appendAt(nil, tm.UTC())), encodeAt(tm); got != want {
			t.Fatalf("%v: appendAt %s, encodeAt %s", tm, got, want)
		}
	}
	if time.Unix(minUnix, 0).UTC().Year() != minYear || time.Unix(maxUnix, 0).UTC().Year() != maxYear ||
		time.Unix(minUnix-1, 0).UTC().Year() != minYear-1 || time.Unix(maxUnix+1, 0).UTC().Year() != maxYear+1 {
		t.Fatal("minUnix or maxUnix is not the edge of the years allowed")
	}
}
