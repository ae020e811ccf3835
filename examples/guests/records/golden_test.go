//go:build !wasip1

package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.txt")

// trickyBatch holds every kind of record ingest must accept, normalize or
// reject, and ids repeated within the batch and across calls.
func trickyBatch(round int) []any {
	at := time.Date(2026, 1, 2, 3, 4, 5, 600700800, time.UTC)
	long := strings.Repeat("x", 201)
	manyTags := make([]any, 33)
	for i := range manyTags {
		manyTags[i] = fmt.Sprintf("t%d", i)
	}
	return []any{
		rec("a1", "s1", at, 1.5, "B", " b ", "", "c"),
		rec("  a2 ", " s/2% ", at.Add(time.Hour), int64(7)),
		rec("a3", "s1", at.Add(-time.Minute), -1e9),
		rec("a4", "s1", at, 2e9),
		rec("", "s1", at, 1.0),
		rec("a5", "  ", at, 1.0),
		abi.Struct{{Name: "id", Value: "a6"}, {Name: "source", Value: "s1"}, {Name: "at", Value: "yesterday"}, {Name: "value", Value: 1.0}},
		rec("a7", "s1", at, "1.0"),
		rec("a8", "s1", at, 1.0, "ok", int64(3)),
		rec("a9", "s1", at, 1.0, manyTags...),
		rec("a10", "s\x01", at, 1.0),
		rec(long, "s1", at, 1.0),
		rec("a11", "s1", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 1.0),
		rec("a12", "s1", at, 1.0, strings.Repeat("T", 65)),
		rec("a13", "s1", at, 1.0, "Ünï", "ünï", "tab\there"),
		abi.Struct{{Name: "id", Value: "a14"}, {Name: "source", Value: "s1"}, {Name: "at", Value: at}},
		abi.Struct{{Name: "id", Value: "a15"}, {Name: "source", Value: "s1"}, {Name: "at", Value: at},
			{Name: "value", Value: 1.0}, {Name: "colour", Value: "red"}},
		abi.Struct{{Name: "value", Value: 3.0}, {Name: "tags", Value: nil}, {Name: "at", Value: at},
			{Name: "source", Value: "s3"}, {Name: "id", Value: "a16"}},
		abi.Struct{{Name: "id", Value: int64(5)}, {Name: "source", Value: "s1"}, {Name: "at", Value: at}, {Name: "value", Value: 1.0}},
		abi.Struct{{Name: "id", Value: "a17"}, {Name: "source", Value: "s1"}, {Name: "at", Value: at}, {Name: "value", Value: 1.0},
			{Name: "tags", Value: "notarray"}},
		"not a struct",
		nil,
		int64(3),
		rec("a1", fmt.Sprintf("s%d", round), at.Add(time.Duration(round)*time.Second), float64(round), "again"),
		rec("a18", "s1", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxFloat64),
		rec("a19", "s1", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), -0.0, "x", "X", "y"),
	}
}

// TestGolden pins, byte for byte, what ingest and ingestStrict answer and
// what they leave in the store, so that a rewrite of the plugin's code
// cannot change results, reasons, order or stored data unnoticed. Both
// builds must produce the same golden file.
func TestGolden(t *testing.T) { eachBuild(t, testGolden) }

func testGolden(t *testing.T, pl plugin) {
	var out strings.Builder
	for round := range 2 {
		v, err := pl.call("ingest", trickyBatch(round))
		fmt.Fprintf(&out, "ingest round %d: %#v %v\n", round, v, err)
	}
	v, err := pl.call("ingestStrict", trickyBatch(2))
	fmt.Fprintf(&out, "ingestStrict: %#v %v\n", v, err)
	v, err = pl.call("ingestStrict", []any{rec("z1", "s9", time.Unix(5, 0), 1.0, "A", "a")})
	fmt.Fprintf(&out, "ingestStrict valid: %#v %v\n", v, err)
	v, err = pl.call("ingest", []any{})
	fmt.Fprintf(&out, "ingest empty: %#v %v\n", v, err)
	for _, params := range [][]any{nil, {"x"}, {[]any{}, 1}} {
		v, err = pl.call("ingest", params...)
		fmt.Fprintf(&out, "ingest %v: %#v %v\n", params, v, err)
	}
	for _, kv := range pl.dump(t) {
		fmt.Fprintf(&out, "%q = %x\n", kv.Key, kv.Value)
	}
	got := out.String()
	if *update {
		if err := os.WriteFile("testdata/golden.txt", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/golden.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("results or store differ from testdata/golden.txt:\n%s", lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)) && b.Len() < 4000; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}
