//go:build !wasip1

package main

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/examples/guests/records/recordsvc"
)

// These tests run against both builds of the plugin (builds_test.go): the
// Go build through guest.Invoke, the host's encode and dispatch path,
// against the SDK's in-memory store, and the Rust build in a host. The
// in-memory store has no transactions: what a failing call would leave
// behind inside rpchost is checked by the end-to-end tests
// (records_test.go at the module root).

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// rec builds a record param; tags are added only when given.
func rec(id, source string, at time.Time, value any, tags ...any) abi.Struct {
	s := abi.Struct{{Name: "id", Value: id}, {Name: "source", Value: source}, {Name: "at", Value: at}, {Name: "value", Value: value}}
	if tags != nil {
		s = append(s, abi.Member{Name: "tags", Value: tags})
	}
	return s
}

// stored builds a record as get and query return it.
func stored(id, source string, at time.Time, value float64, tags ...any) abi.Struct {
	if tags == nil {
		tags = []any{}
	}
	return abi.Struct{{Name: "id", Value: id}, {Name: "source", Value: source}, {Name: "at", Value: at},
		{Name: "value", Value: value}, {Name: "tags", Value: tags}}
}

func invoke(t *testing.T, pl plugin, method string, params ...any) any {
	t.Helper()
	v, err := pl.call(method, params...)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return v
}

// wantFault calls method and checks the fault's code and that its message
// contains msg.
func wantFault(t *testing.T, pl plugin, code int, msg, method string, params ...any) {
	t.Helper()
	v, err := pl.call(method, params...)
	var f *abi.Fault
	if !errors.As(err, &f) || f.Code != code || !strings.Contains(f.Message, msg) {
		t.Fatalf("%s%v = %v, %v; want fault %d containing %q", method, params, v, err, code, msg)
	}
}

func ingest(t *testing.T, pl plugin, records ...any) (stored int64, rejected []any) {
	t.Helper()
	res := invoke(t, pl, "ingest", records).(abi.Struct)
	n, _ := res.Get("stored")
	r, _ := res.Get("rejected")
	return n.(int64), r.([]any)
}

func stats(t *testing.T, pl plugin) abi.Struct { return invoke(t, pl, "stats").(abi.Struct) }

func member(s abi.Struct, name string) any { v, _ := s.Get(name); return v }

func TestIngestNormalizesStoresAndGets(t *testing.T) { eachBuild(t, testIngestNormalizesStoresAndGets) }

func testIngestNormalizesStoresAndGets(t *testing.T, pl plugin) {
	n, rejected := ingest(t, pl,
		rec("  r1 ", " Boiler ", t0, 21.5, " Hot", "hot", "ROOM-1", "", "room-1"),
		rec("r2", "boiler", t0.Add(time.Minute), int64(22)), // an int is a number
		rec("r3", "attic", t0.Add(-time.Hour), -3.25),
	)
	if n != 3 || len(rejected) != 0 {
		t.Fatalf("ingest: stored %d, rejected %v", n, rejected)
	}
	for id, want := range map[string]abi.Struct{
		"r1": stored("r1", "Boiler", t0, 21.5, "hot", "room-1"),
		"r2": stored("r2", "boiler", t0.Add(time.Minute), 22),
		"r3": stored("r3", "attic", t0.Add(-time.Hour), -3.25),
	} {
		if got := invoke(t, pl, "get", id); !reflect.DeepEqual(got, want) {
			t.Errorf("get(%q) = %v\nwant %v", id, got, want)
		}
	}
	if got := invoke(t, pl, "get", " r1 "); member(got.(abi.Struct), "id") != "r1" {
		t.Errorf("get(\" r1 \") = %v: the id is trimmed like an ingested one", got)
	}
	wantFault(t, pl, recordsvc.CodeNotFound, `no record with id "nope"`, "get", "nope")
	wantFault(t, pl, abi.CodeInvalidParams, "param 1: want string, got int", "get", 1)
	wantFault(t, pl, abi.CodeInvalidParams, "get takes 1 param, got 0", "get")

	s := stats(t, pl)
	want := abi.Struct{
		{Name: "count", Value: int64(3)},
		{Name: "bySource", Value: abi.Struct{{Name: "Boiler", Value: int64(1)}, {Name: "attic", Value: int64(1)}, {Name: "boiler", Value: int64(1)}}},
		{Name: "first", Value: t0.Add(-time.Hour)},
		{Name: "last", Value: t0.Add(time.Minute)},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("stats = %v\nwant %v", s, want)
	}
}

func TestReplacingKeepsCountsAndIndexesConsistent(t *testing.T) {
	eachBuild(t, testReplacingKeepsCountsAndIndexesConsistent)
}

func testReplacingKeepsCountsAndIndexesConsistent(t *testing.T, pl plugin) {
	ingest(t, pl, rec("x", "a", t0, 1.0), rec("y", "a", t0, 2.0))
	// x moves to source b and another time; y is sent twice in one batch.
	n, rejected := ingest(t, pl, rec("x", "b", t0.Add(time.Hour), 3.0), rec("y", "a", t0, 4.0), rec("y", "a", t0.Add(time.Second), 5.0))
	if n != 3 || len(rejected) != 0 {
		t.Fatalf("ingest: stored %d, rejected %v", n, rejected)
	}
	s := stats(t, pl)
	if member(s, "count") != int64(2) || !reflect.DeepEqual(member(s, "bySource"),
		abi.Struct{{Name: "a", Value: int64(1)}, {Name: "b", Value: int64(1)}}) {
		t.Fatalf("stats after replacing = %v", s)
	}
	if got := invoke(t, pl, "get", "y"); member(got.(abi.Struct), "value") != 5.0 {
		t.Errorf("get(y) = %v: the last one sent wins", got)
	}
	all := invoke(t, pl, "query", abi.Struct{})
	want := []any{stored("y", "a", t0.Add(time.Second), 5.0), stored("x", "b", t0.Add(time.Hour), 3.0)}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("query({}) = %v\nwant %v", all, want)
	}
	if got := invoke(t, pl, "query", map[string]any{"source": "a"}); !reflect.DeepEqual(got, want[:1]) {
		t.Errorf("query(source a) = %v: the old index entries must be gone", got)
	}
	// Moving every record away from a source removes it from bySource.
	ingest(t, pl, rec("y", "b", t0, 1.0))
	if s := stats(t, pl); !reflect.DeepEqual(member(s, "bySource"), abi.Struct{{Name: "b", Value: int64(2)}}) {
		t.Errorf("stats = %v, want only source b", s)
	}
}

func TestValidation(t *testing.T) { eachBuild(t, testValidation) }

func testValidation(t *testing.T, pl plugin) {
	tooManyTags := make([]any, 40)
	for i := range tooManyTags {
		tooManyTags[i] = fmt.Sprint("t", i)
	}
	for _, tc := range []struct {
		record any
		reason string
	}{
		{int64(7), "want a struct, got int"},
		{abi.Struct{{Name: "source", Value: "s"}, {Name: "at", Value: t0}, {Name: "value", Value: 1.0}}, "id is missing"},
		{rec("   ", "s", t0, 1.0), "id is empty"},
		{rec("a", "\t", t0, 1.0), "source is empty"},
		{abi.Struct{{Name: "id", Value: int64(5)}}, "id must be a string, got int"},
		{abi.Struct{{Name: "id", Value: "a"}, {Name: "source", Value: "s"}, {Name: "value", Value: 1.0}}, "at is missing"},
		{abi.Struct{{Name: "id", Value: "a"}, {Name: "source", Value: "s"}, {Name: "at", Value: "2024-03-01"}}, "at must be a dateTime.iso8601, got string"},
		{abi.Struct{{Name: "id", Value: "a"}, {Name: "source", Value: "s"}, {Name: "at", Value: t0}}, "value is missing"},
		{rec("a", "s", t0, "12"), "value must be a number, got string"},
		{rec("a", "s", t0, nil), "value must be a number, got nil"},
		{rec("a", "s", t0, 2e9), "value must be between -1e9 and 1e9"},
		{rec("a", "s", t0, int64(-2e9)), "value must be between -1e9 and 1e9"},
		{append(rec("a", "s", t0, 1.0), abi.Member{Name: "tags", Value: "hot"}), "tags must be an array of strings, got string"},
		{rec("a", "s", t0, 1.0, "ok", int64(3)), "tags[1] must be a string, got int"},
		{rec("a", "s", t0, 1.0, tooManyTags...), "40 distinct tags, at most 32"},
		{append(rec("a", "s", t0, 1.0), abi.Member{Name: "tag", Value: "x"}), `unknown member "tag"`},
		{rec(strings.Repeat("x", 201), "s", t0, 1.0), "id is 201 bytes, at most 200"},
		{rec("a\x00b", "s", t0, 1.0), "id contains a control character"},
		{rec("a", "s", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 1.0), "at is in year 10000"},
	} {
		n, rejected := ingest(t, pl, rec("good", "s", t0, 1.0), tc.record)
		want := []any{abi.Struct{{Name: "index", Value: int64(1)}, {Name: "reason", Value: tc.reason}}}
		if n != 1 || len(rejected) != 1 || !strings.HasPrefix(member(rejected[0].(abi.Struct), "reason").(string), tc.reason) {
			t.Errorf("ingest(good, %v): stored %d, rejected %v; want 1, %v", tc.record, n, rejected, want)
		}
	}
	if s := stats(t, pl); member(s, "count") != int64(1) {
		t.Errorf("stats = %v: only the good record, replaced each time", s)
	}
	if n, rejected := ingest(t, pl); n != 0 || len(rejected) != 0 {
		t.Errorf("ingest([]) = %d, %v", n, rejected)
	}
	// Bad params are faults, not rejections.
	wantFault(t, pl, abi.CodeInvalidParams, "param 1: want array, got struct", "ingest", abi.Struct{})
	wantFault(t, pl, abi.CodeInvalidParams, "ingest takes 1 param, got 2", "ingest", []any{}, []any{})
	wantFault(t, pl, abi.CodeInvalidParams, "ingest takes 1 param, got 0", "ingest")
	big := make([]any, recordsvc.MaxBatch+1)
	wantFault(t, pl, abi.CodeInvalidParams, "10001 records in one call, at most 10000", "ingest", big)
}

func TestIngestStrictFaultsAtTheFirstInvalidRecord(t *testing.T) {
	eachBuild(t, testIngestStrictFaultsAtTheFirstInvalidRecord)
}

func testIngestStrictFaultsAtTheFirstInvalidRecord(t *testing.T, pl plugin) {
	wantFault(t, pl, abi.CodeInvalidParams, `record 2 (id "bad"): value must be a number, got string; nothing was stored`,
		"ingestStrict", []any{rec("g1", "s", t0, 1.0), rec("g2", "s", t0, 2.0), rec("bad", "s", t0, "x")})
	// (The in-memory store keeps g1 and g2; rpchost discards them with the
	// failing call.)
	pl.reset(t)
	res := invoke(t, pl, "ingestStrict", []any{rec("g1", "s", t0, 1.0), rec("g2", "s", t0, 2.0)}).(abi.Struct)
	if member(res, "stored") != int64(2) || len(member(res, "rejected").([]any)) != 0 {
		t.Errorf("ingestStrict(good, good) = %v", res)
	}
}

func TestQuery(t *testing.T) { eachBuild(t, testQuery) }

func testQuery(t *testing.T, pl plugin) {
	var batch []any
	for i := range 50 {
		source := []string{"a", "b/c", "b"}[i%3] // "b/c" must not show up under "b"
		batch = append(batch, rec(fmt.Sprintf("r%02d", i), source, t0.Add(time.Duration(i%25)*time.Minute+time.Duration(i)), float64(i)))
	}
	if n, rejected := ingest(t, pl, batch...); n != 50 {
		t.Fatalf("ingest: %d, %v", n, rejected)
	}
	ids := func(v any) string {
		var s []string
		for _, r := range v.([]any) {
			s = append(s, member(r.(abi.Struct), "id").(string))
		}
		return strings.Join(s, " ")
	}
	// expect lists the ids matching, in (at, id) order, computed the slow way.
	expect := func(source string, from, to time.Time, limit int) string {
		type row struct {
			at time.Time
			id string
		}
		var rows []row
		for i := range 50 {
			at := t0.Add(time.Duration(i%25)*time.Minute + time.Duration(i))
			src := []string{"a", "b/c", "b"}[i%3]
			if (source == "" || src == source) && (from.IsZero() || !at.Before(from)) && (to.IsZero() || at.Before(to)) {
				rows = append(rows, row{at, fmt.Sprintf("r%02d", i)})
			}
		}
		for i := range rows {
			for j := i + 1; j < len(rows); j++ {
				if rows[j].at.Before(rows[i].at) || rows[j].at.Equal(rows[i].at) && rows[j].id < rows[i].id {
					rows[i], rows[j] = rows[j], rows[i]
				}
			}
		}
		var s []string
		for i, r := range rows {
			if i < limit {
				s = append(s, r.id)
			}
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		source   string
		from, to time.Time
		limit    int
	}{
		{limit: 100},
		{limit: 7},
		{source: "a", limit: 100},
		{source: "b", limit: 100},
		{source: "b/c", limit: 3},
		{source: "zzz", limit: 100},
		{from: t0.Add(5 * time.Minute), limit: 100},
		{to: t0.Add(5 * time.Minute), limit: 100},
		{from: t0.Add(3 * time.Minute), to: t0.Add(9*time.Minute + 30), limit: 100},
		{from: t0.Add(3*time.Minute + 28), to: t0.Add(3*time.Minute + 29), limit: 100}, // exactly r28
		{source: "b", from: t0.Add(2 * time.Minute), to: t0.Add(20 * time.Minute), limit: 4},
		{from: t0.Add(time.Hour), limit: 100},
		{from: t0.Add(time.Minute), to: t0.Add(time.Minute), limit: 100},
	} {
		filter := abi.Struct{{Name: "limit", Value: int64(tc.limit)}}
		if tc.source != "" {
			filter = append(filter, abi.Member{Name: "source", Value: tc.source})
		}
		if !tc.from.IsZero() {
			filter = append(filter, abi.Member{Name: "from", Value: tc.from})
		}
		if !tc.to.IsZero() {
			filter = append(filter, abi.Member{Name: "to", Value: tc.to})
		}
		got, want := ids(invoke(t, pl, "query", filter)), expect(tc.source, tc.from, tc.to, tc.limit)
		if got != want {
			t.Errorf("query(%v) = [%s]\nwant [%s]", filter, got, want)
		}
	}
	if got := invoke(t, pl, "query").([]any); len(got) != 50 {
		t.Errorf("query() returned %d records, want all 50 (default limit 100)", len(got))
	}
	for _, tc := range []struct {
		filter any
		msg    string
	}{
		{abi.Struct{{Name: "limit", Value: int64(0)}}, "filter: limit must be between 1 and 1000, got 0"},
		{abi.Struct{{Name: "limit", Value: int64(1001)}}, "filter: limit must be between 1 and 1000, got 1001"},
		{abi.Struct{{Name: "limit", Value: 1.5}}, "filter: limit must be an int, got double"},
		{abi.Struct{{Name: "source", Value: int64(1)}}, "filter: source must be a string, got int"},
		{abi.Struct{{Name: "from", Value: "yesterday"}}, "filter: from must be a dateTime.iso8601, got string"},
		{abi.Struct{{Name: "src", Value: "a"}}, `filter: unknown member "src"`},
		{[]any{}, "param 1: want struct, got array"},
	} {
		wantFault(t, pl, abi.CodeInvalidParams, tc.msg, "query", tc.filter)
	}
}

func TestRuleAndHelp(t *testing.T) { eachBuild(t, testRuleAndHelp) }

func testRuleAndHelp(t *testing.T, pl plugin) {
	for _, v := range []any{-1e9, 1e9, 0.0, int64(-5)} {
		if n, rejected := ingest(t, pl, rec("v", "s", t0, v)); n != 1 {
			t.Errorf("value %v rejected: %v", v, rejected)
		}
	}
	for _, v := range []any{math.Nextafter(1e9, 2e9), -1e9 - 1} {
		if n, _ := ingest(t, pl, rec("v", "s", t0, v)); n != 0 {
			t.Errorf("value %v accepted", v)
		}
	}
	m := pl.manifest(t)
	var names []string
	for _, md := range m.Methods {
		names = append(names, md.Name)
		if md.Help == "" || len(md.Signatures) == 0 {
			t.Errorf("%s has no help or no signature", md.Name)
		}
		if strings.HasPrefix(md.Name, "ingest") && !strings.Contains(md.Help, "value must be between -1e9 and 1e9") {
			t.Errorf("%s's help does not state the rule: %s", md.Name, md.Help)
		}
	}
	if got := strings.Join(names, " "); got != "get ingest ingestStrict query stats" {
		t.Errorf("methods = %s", got)
	}
}

func TestStatsOfAnEmptyStore(t *testing.T) { eachBuild(t, testStatsOfAnEmptyStore) }

func testStatsOfAnEmptyStore(t *testing.T, pl plugin) {
	want := abi.Struct{{Name: "count", Value: int64(0)}, {Name: "bySource", Value: abi.Struct{}}}
	if s := stats(t, pl); !reflect.DeepEqual(s, want) {
		t.Errorf("stats = %#v, want %#v", s, want)
	}
	wantFault(t, pl, abi.CodeInvalidParams, "stats takes 0 params, got 1", "stats", 1)
}
