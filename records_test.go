package rpchost_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"

	"github.com/rpchost/rpchost/internal/store/pgtest"
)

// The collector scenario end to end (examples/guests/records, the records
// plugin, fed by examples/clients/python/collector.py): what B stores
// survives a restart and a plugin reload, a failing call stores nothing,
// and one plugin cannot reach another's keys, on each store backend.

// storeBackend is a store configuration for the server: env returns the
// environment that selects it, set up for the calling test (a fresh bbolt
// directory, or a private PostgreSQL database).
type storeBackend struct {
	name string
	env  func(t *testing.T) []string
}

var storeBackends = []storeBackend{
	{"bbolt", func(t *testing.T) []string {
		return []string{"RPCHOST_STORE_DRIVER=bbolt", "RPCHOST_STORE_DIR=" + t.TempDir()}
	}},
	{"postgres", func(t *testing.T) []string {
		dsn := pgtest.Start(t) // skips without PostgreSQL, fails under CI=true
		return []string{"RPCHOST_STORE_DRIVER=postgres", "RPCHOST_STORE_DSN=" + pgtest.NewDatabase(t, dsn)}
	}},
}

// buildGoGuest builds the Go guest in pkg (a path from the module root) into
// out, as a plugin.
func buildGoGuest(t *testing.T, pkg, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-buildmode=c-shared", "-trimpath", "-o", out, "./"+pkg)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=wasip1 GOARCH=wasm go build ./%s: %v\n%s", pkg, err, output)
	}
}

// recordsDir returns a new plugin directory holding plugins/records.wasm.
func recordsDir(t *testing.T) string {
	t.Helper()
	return recordsDirOf(t, recordsBuilds[0])
}

// recordsBuild is one build of the records plugin: the shipped Go one, or
// the same service built from Rust (sdk/rust/examples/records).
type recordsBuild struct{ name, module string }

var recordsBuilds = []recordsBuild{
	{"go", "plugins/records.wasm"},
	{"rust", "sdk/rust/examples/records.wasm"},
}

// recordsDirOf returns a new plugin directory holding b's module as
// records.wasm.
func recordsDirOf(t *testing.T, b recordsBuild) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "records.wasm"), readFile(t, b.module))
	return dir
}

// reading is a record as kolo/xmlrpc sends it: a map is a struct, a
// time.Time a dateTime (in UTC: kolo drops the zone), []string an array.
func recordReading(id, source string, at time.Time, value float64, tags ...string) map[string]any {
	r := map[string]any{"id": id, "source": source, "at": at.UTC(), "value": value}
	if tags != nil {
		r["tags"] = tags
	}
	return r
}

// ingest calls method (records.ingest or records.ingestStrict) and returns
// what was stored and the rejection reasons.
func recordsIngest(t *testing.T, c *xmlrpc.Client, method string, records ...any) (stored int64, reasons []string) {
	t.Helper()
	res, ok := call(t, c, method, records).(map[string]any)
	if !ok {
		t.Fatalf("%s returned %v, want a struct", method, res)
	}
	stored, _ = res["stored"].(int64)
	rejected, _ := res["rejected"].([]any)
	for _, r := range rejected {
		reason, _ := r.(map[string]any)["reason"].(string)
		reasons = append(reasons, reason)
	}
	return stored, reasons
}

// recordStats returns records.stats's count and bySource.
func recordStats(t *testing.T, c *xmlrpc.Client) (int64, map[string]any) {
	t.Helper()
	s, ok := call(t, c, "records.stats").(map[string]any)
	if !ok {
		t.Fatalf("records.stats returned %v", s)
	}
	count, _ := s["count"].(int64)
	bySource, _ := s["bySource"].(map[string]any)
	return count, bySource
}

var collectorTotalsRE = regexp.MustCompile(`sent (\d+) readings in \d+ requests?: stored (\d+), rejected (\d+)`)

// collect runs the Python collector against url and returns its totals.
func runCollector(t *testing.T, python, url string, args ...string) (sent, stored, rejected int) {
	t.Helper()
	start := time.Now()
	out := runScript(t, python, append([]string{"examples/clients/python/collector.py", "--server", url, "--quiet"}, args...)...)
	m := collectorTotalsRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("collector.py printed no totals:\n%s", out)
	}
	t.Logf("collector.py %s: %s in %v", strings.Join(args, " "), m[0], time.Since(start).Round(time.Millisecond))
	sent, _ = strconv.Atoi(m[1])
	stored, _ = strconv.Atoi(m[2])
	rejected, _ = strconv.Atoi(m[3])
	return sent, stored, rejected
}

const v2Reason = "value must not be negative in v2"

func TestRecordsSurviveRestartAndReload(t *testing.T) {
	t.Parallel()
	python := requireTool(t, "python3")
	for _, b := range storeBackends {
		t.Run(b.name, func(t *testing.T) {
			env := b.env(t)
			dir := recordsDir(t)
			const n = 10000
			var sample any // one record, as the first server returned it

			// Each subtest's server stops when the subtest ends, before the
			// next one starts on the same store.
			t.Run("collect", func(t *testing.T) {
				s := startServer(t, dir, env...)
				c := dial(t, s.URL)
				sent, stored, rejected := runCollector(t, python, s.URL, "--count", strconv.Itoa(n), "--multicall", "4")
				if sent != n || stored != n || rejected != 0 {
					t.Fatalf("collector: sent %d, stored %d, rejected %d; want %d stored", sent, stored, rejected, n)
				}
				count, bySource := recordStats(t, c)
				if count != n || len(bySource) != 4 {
					t.Fatalf("records.stats: count %d, bySource %v; want %d over 4 sources", count, bySource, n)
				}
				sample = call(t, c, "records.get", "seed1-000042")
				// Again with the same seed: the same ids, replaced, not added.
				if _, stored, _ := runCollector(t, python, s.URL, "--count", "1000"); stored != 1000 {
					t.Fatalf("second run stored %d, want 1000", stored)
				}
				if count, _ := recordStats(t, c); count != n {
					t.Fatalf("after sending 1,000 of the same ids again, count = %d, want %d", count, n)
				}
			})
			if t.Failed() {
				return
			}

			t.Run("restart", func(t *testing.T) {
				start := time.Now()
				s := startServer(t, dir, env...)
				t.Logf("restarted in %v", time.Since(start).Round(time.Millisecond))
				c := dial(t, s.URL)
				call(t, c, "records.stats") // the first call instantiates the plugin
				if count, _ := recordStats(t, c); count != n {
					t.Fatalf("after a restart records.stats count = %d, want %d", count, n)
				}
				if got := call(t, c, "records.get", "seed1-000042"); !reflect.DeepEqual(got, sample) {
					t.Fatalf("after a restart records.get = %v, want %v", got, sample)
				}
				for _, filter := range []map[string]any{
					{"source": "attic", "limit": 1000},
					{"from": time.Date(2024, 3, 1, 10, 17, 33, 0, time.UTC), "to": time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), "limit": 1000},
				} {
					start := time.Now()
					q, _ := call(t, c, "records.query", filter).([]any)
					if len(q) != 1000 {
						t.Fatalf("records.query(%v) returned %d records, want 1000", filter, len(q))
					}
					t.Logf("records.query(%v): %d records in %v", filter, len(q), time.Since(start).Round(time.Millisecond))
				}
				start = time.Now()
				call(t, c, "records.stats")
				t.Logf("records.stats in %v", time.Since(start).Round(time.Millisecond))

				// A new rule: build the v2 plugin and copy it over the one
				// being served, as a deployment would.
				v2 := filepath.Join(t.TempDir(), "records.wasm")
				buildGoGuest(t, "testdata/records_v2", v2)
				start = time.Now()
				writeFile(t, filepath.Join(dir, "records.wasm"), readFile(t, v2))
				for {
					var help string
					err := c.Call("system.methodHelp", []any{"records.ingest"}, &help)
					if err == nil && strings.Contains(help, "(v2)") {
						break
					}
					if time.Since(start) > 15*time.Second {
						t.Fatalf("records.ingest still has the old rule 15 s after the copy: %q, %v", help, err)
					}
					time.Sleep(10 * time.Millisecond)
				}
				t.Logf("v2 served %v after the copy", time.Since(start).Round(time.Millisecond))
				at := time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)
				stored, reasons := recordsIngest(t, c, "records.ingest", recordReading("probe-neg", "probe", at, -1), recordReading("probe-pos", "probe", at, 1))
				if stored != 1 || len(reasons) != 1 || reasons[0] != v2Reason {
					t.Fatalf("with v2, ingest(-1, 1): stored %d, rejected %q; want 1 and %q", stored, reasons, v2Reason)
				}
				if count, _ := recordStats(t, c); count != n+1 {
					t.Fatalf("after the reload records.stats count = %d, want %d", count, n+1)
				}
				if got := call(t, c, "records.get", "seed1-000042"); !reflect.DeepEqual(got, sample) {
					t.Fatalf("after the reload records.get = %v, want %v", got, sample)
				}
				// Service A again, unchanged: B now refuses its negative
				// readings and keeps the ones stored before.
				sent, stored2, rejected := runCollector(t, python, s.URL, "--count", strconv.Itoa(n))
				if sent != n || rejected == 0 || stored2+rejected != n {
					t.Fatalf("collector under v2: sent %d, stored %d, rejected %d", sent, stored2, rejected)
				}
				if count, _ := recordStats(t, c); count != n+1 {
					t.Fatalf("after collecting under v2 count = %d, want %d", count, n+1)
				}
			})
		})
	}
}

func TestAFailingCallStoresNothing(t *testing.T) {
	t.Parallel()
	for _, b := range storeBackends {
		for _, build := range recordsBuilds {
			t.Run(b.name+"/"+build.name, func(t *testing.T) { testAFailingCallStoresNothing(t, b, build) })
		}
	}
}

func testAFailingCallStoresNothing(t *testing.T, b storeBackend, build recordsBuild) {
	s := startServer(t, recordsDirOf(t, build), b.env(t)...)
	c := dial(t, s.URL)
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	if stored, _ := recordsIngest(t, c, "records.ingest", recordReading("base", "a", at, 1)); stored != 1 {
		t.Fatal("the baseline record was not stored")
	}
	batch := []any{
		recordReading("good1", "a", at, 2),
		recordReading("good2", "b", at, 3, "x"),
		map[string]any{"id": "bad", "source": "a", "at": at, "value": "NaN?"},
	}
	msg := wantFault(t, c, -32602, "records.ingestStrict", batch)
	if !strings.Contains(msg, `record 2 (id "bad")`) {
		t.Errorf("the fault does not name the bad record: %q", msg)
	}
	// The first two were written before the fault, in the same call:
	// the host discarded them with it.
	for _, id := range []string{"good1", "good2"} {
		if msg := wantFault(t, c, 404, "records.get", id); msg != `no record with id "`+id+`"` {
			t.Errorf("records.get(%s) fault %q", id, msg)
		}
	}
	count, bySource := recordStats(t, c)
	if count != 1 || !reflect.DeepEqual(bySource, map[string]any{"a": int64(1)}) {
		t.Errorf("after the failing call stats = %d, %v; want 1, {a: 1}", count, bySource)
	}
	if q, _ := call(t, c, "records.query", map[string]any{}).([]any); len(q) != 1 {
		t.Errorf("records.query({}) = %v, want only the baseline", q)
	}
	// The same call without the bad record stores both.
	if stored, _ := recordsIngest(t, c, "records.ingestStrict", batch[:2]...); stored != 2 {
		t.Errorf("ingestStrict(good1, good2) stored %d", stored)
	}
	if count, _ := recordStats(t, c); count != 3 {
		t.Errorf("count = %d, want 3", count)
	}
}

func TestPluginsCannotReachEachOthersKeys(t *testing.T) {
	t.Parallel()
	for _, b := range storeBackends {
		t.Run(b.name, func(t *testing.T) {
			dir := recordsDir(t)
			buildGoGuest(t, "testdata/kvprobe", filepath.Join(dir, "kvprobe.wasm"))
			s := startServer(t, dir, b.env(t)...)
			c := dial(t, s.URL)
			at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
			recordsIngest(t, c, "records.ingest", recordReading("x", "a", at, 7))
			want := call(t, c, "records.get", "x")

			for _, key := range []string{"rec/x", "total", "count/a"} {
				// kolo/xmlrpc reads an empty <string></string> as nil.
				if got := call(t, c, "kvprobe.get", key); got != "" && got != nil {
					t.Errorf("kvprobe.get(%q) = %q: it reads records' key", key, got)
				}
			}
			call(t, c, "kvprobe.put", "rec/x", "not a record")
			call(t, c, "kvprobe.put", "total", "999")
			if got := call(t, c, "records.get", "x"); !reflect.DeepEqual(got, want) {
				t.Errorf("after kvprobe.put(rec/x) records.get(x) = %v, want %v", got, want)
			}
			if count, _ := recordStats(t, c); count != 1 {
				t.Errorf("after kvprobe.put(total) records.stats count = %d, want 1", count)
			}
			if got := call(t, c, "kvprobe.get", "rec/x"); got != "not a record" {
				t.Errorf("kvprobe.get(rec/x) = %q: it does not see its own key", got)
			}
		})
	}
}

// TestRecordsFromPython checks get, query, faults and multicall from
// Python's xmlrpc.client (testdata/clients/records_check.py checks every
// answer itself).
func TestRecordsFromPython(t *testing.T) {
	t.Parallel()
	python := requireTool(t, "python3")
	for _, build := range recordsBuilds {
		t.Run(build.name, func(t *testing.T) {
			s := startServer(t, recordsDirOf(t, build))
			t.Log(strings.TrimSpace(runScript(t, python, "testdata/clients/records_check.py", s.URL)))
		})
	}
}

// TestRecordsReloadBetweenBuilds hot-reloads the records plugin from the
// Go build to the Rust build and back on one store, ingesting between the
// reloads (replacing records the other build wrote, moving them between
// sources and times), and compares every answer with a server that runs
// the Go build throughout: the two builds read and write the same store.
func TestRecordsReloadBetweenBuilds(t *testing.T) {
	t.Parallel()
	for _, b := range storeBackends {
		t.Run(b.name, func(t *testing.T) {
			switching := recordsDirOf(t, recordsBuilds[0])
			sw := startServer(t, switching, b.env(t)...)
			ref := startServer(t, recordsDir(t), b.env(t)...)
			cs, cr := dial(t, sw.URL), dial(t, ref.URL)
			t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
			// batch i: ids r0..r39, each round moving them to other
			// sources and times, tags with case and accents to normalize.
			batch := func(round int) []any {
				var out []any
				for i := range 40 {
					src := []string{"attic", "Boiler/2", "100%", "kéller"}[(i+round)%4]
					out = append(out, recordReading(fmt.Sprintf("r%d", i+round*10), src, t0.Add(time.Duration(i*round)*time.Minute),
						float64(i*round)-0.5, "Tag", "ÉTÉ", fmt.Sprint("t", round)))
				}
				return out
			}
			state := func(c *xmlrpc.Client) string {
				return fmt.Sprintf("%#v\n%#v\n%#v", call(t, c, "records.stats"),
					call(t, c, "records.query", map[string]any{"limit": 1000}),
					call(t, c, "records.query", map[string]any{"source": "Boiler/2", "limit": 1000}))
			}
			step := func(what string, round int) {
				t.Helper()
				for _, c := range []*xmlrpc.Client{cs, cr} {
					if stored, reasons := recordsIngest(t, c, "records.ingest", batch(round)...); stored != 40 {
						t.Fatalf("%s: ingest round %d stored %d, rejected %q", what, round, stored, reasons)
					}
				}
				if got, want := state(cs), state(cr); got != want {
					t.Fatalf("%s: the switching server answers\n%s\nthe Go-only one\n%s", what, got, want)
				}
			}
			reloads := 0
			swap := func(to recordsBuild) {
				t.Helper()
				writeFile(t, filepath.Join(switching, "records.wasm"), readFile(t, to.module))
				reloads++
				for start := time.Now(); strings.Count(sw.Logs(), "plugin reloaded") < reloads; time.Sleep(20 * time.Millisecond) {
					if time.Since(start) > 15*time.Second {
						t.Fatalf("no reload to the %s build 15 s after the copy", to.name)
					}
				}
				if got, want := state(cs), state(cr); got != want {
					t.Fatalf("right after the reload to the %s build, the switching server answers\n%s\nthe Go-only one\n%s", to.name, got, want)
				}
			}
			step("go", 1)
			swap(recordsBuilds[1])
			step("rust over go's records", 2)
			swap(recordsBuilds[0])
			step("go over rust's records", 3)
			t.Logf("%d reloads; final state:\n%.600s", reloads, state(cs))
		})
	}
}
