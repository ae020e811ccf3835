//go:build !wasip1

package main

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi"
)

// The tests here run the same calls against both builds and compare what
// they answer and store, for inputs too many to pin in golden.txt.

// bothBuilds runs run against the Go build, then the Rust build, and
// fails unless it returns the same thing for both.
func bothBuilds(t *testing.T, run func(t *testing.T, pl plugin) string) {
	t.Helper()
	var got [2]string
	t.Run("go", func(t *testing.T) {
		pl := goPlugin{}
		pl.reset(t)
		got[0] = run(t, pl)
	})
	t.Run("rust", func(t *testing.T) { got[1] = run(t, newRustPlugin(t)) })
	if got[0] != got[1] {
		t.Errorf("the builds differ:\n%s", lineDiff(got[0], got[1]))
	}
}

// TestBuildsDescribeTheSameMethods compares the builds' manifests: names,
// help texts (with the deployment rule) and signatures.
func TestBuildsDescribeTheSameMethods(t *testing.T) {
	var ms [2]abi.Manifest
	t.Run("go", func(t *testing.T) { ms[0] = goPlugin{}.manifest(t) })
	t.Run("rust", func(t *testing.T) { ms[1] = newRustPlugin(t).manifest(t) })
	for i := range ms {
		slices.SortFunc(ms[i].Methods, func(a, b abi.MethodDesc) int { return strings.Compare(a.Name, b.Name) })
	}
	if len(ms[0].Methods) == 0 || !reflect.DeepEqual(ms[0], ms[1]) {
		t.Errorf("manifests differ:\ngo:   %#v\nrust: %#v", ms[0], ms[1])
	}
}

// runes lists every rune from 0x80 to 0x2FFFF (the planes where Unicode
// has cased letters), surrogates left out.
func runes() []rune {
	var rs []rune
	for r := rune(0x80); r < 0x30000; r++ {
		if utf8.ValidRune(r) {
			rs = append(rs, r)
		}
	}
	return rs
}

// TestBuildsAgreeOnEveryRune compares, rune by rune, what the builds do
// with text where Rust's standard library and Go's differ or could:
// lower-casing tags (Go's unicode.ToLower per rune, Unicode version
// included), trimming and control characters (stored tags and reasons),
// and strconv.Quote (the reason for an unknown member names it quoted).
func TestBuildsAgreeOnEveryRune(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	rs := runes()
	bothBuilds(t, func(t *testing.T, pl plugin) string {
		var out strings.Builder
		// Tags of 4 runes, 32 to a record; the tags are trimmed, so every
		// rune also comes first and last in some tag.
		var batch []any
		for i := 0; i < len(rs); i += 4 * 32 {
			var tags []any
			for j := i; j < min(i+4*32, len(rs)); j += 4 {
				tags = append(tags, string(rs[j:min(j+4, len(rs))]))
			}
			batch = append(batch, rec(fmt.Sprint("t", i), "s", at, 1.0, tags...))
		}
		v, err := pl.call("ingest", batch)
		fmt.Fprintf(&out, "tags: %#v %v\n", v, err)
		// Unknown members named with 64 runes each, quoted in the reason.
		batch = batch[:0]
		for i := 0; i < len(rs); i += 64 {
			batch = append(batch, append(rec("q", "s", at, 1.0), abi.Member{Name: string(rs[i:min(i+64, len(rs))]), Value: 1.0}))
		}
		v, err = pl.call("ingest", batch)
		fmt.Fprintf(&out, "names: %#v %v\n", v, err)
		// ingestStrict's fault names a bad record's id, quoted.
		for i := 0; i < len(rs); i += 4096 {
			v, err = pl.call("ingestStrict", []any{rec(" "+string(rs[i:min(i+4096, len(rs))])+" ", "s", at, "x")})
			fmt.Fprintf(&out, "strict %d: %#v %v\n", i, v, err)
		}
		for _, kv := range pl.dump(t) {
			fmt.Fprintf(&out, "%q = %x\n", kv.Key, kv.Value)
		}
		t.Logf("%d runes, %d bytes of results and store", len(rs), out.Len())
		return out.String()
	})
}

// TestBuildsAgreeOnManyTags compares the builds on records with more tags
// than allowed: duplicates (after trimming and lower-casing) past the
// limit, and a bad tag after it, whose reason comes first.
func TestBuildsAgreeOnManyTags(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tags := func(n int, extra ...any) []any {
		var out []any
		for i := range n {
			out = append(out, fmt.Sprintf(" T%d ", i%(n/2+1)), fmt.Sprintf("t%d", i))
		}
		return append(out, extra...)
	}
	bothBuilds(t, func(t *testing.T, pl plugin) string {
		var out strings.Builder
		for _, r := range []any{
			rec("a", "s", at, 1.0, tags(16)...),
			rec("b", "s", at, 1.0, tags(17)...),
			rec("c", "s", at, 1.0, tags(40, int64(1))...),
			rec("d", "s", at, 1.0, tags(40, strings.Repeat("x", 65))...),
			rec("e", "s", at, 1.0, tags(20000)...),
		} {
			v, err := pl.call("ingest", []any{r})
			fmt.Fprintf(&out, "%#v %v\n", v, err)
		}
		for _, kv := range pl.dump(t) {
			fmt.Fprintf(&out, "%q = %x\n", kv.Key, kv.Value)
		}
		return out.String()
	})
}
