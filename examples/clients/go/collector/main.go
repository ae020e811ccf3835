// Command collector is service A in Go: it collects readings and sends them
// to rpchost's records plugin with github.com/kolo/xmlrpc, like
// examples/clients/python/collector.py: the same flags, and for the same
// -seed the same readings, value for value (both generate them with
// SplitMix64; -print shows them without sending).
//
//	go run ./examples/clients/go/collector                       # 1,000 readings
//	go run ./examples/clients/go/collector -count 10000 -multicall 4
//	go run ./examples/clients/go/collector -input readings.json
//
// Ids are "<run>-<n>", where <run> is -run-id, or "seed<seed>" without one:
// running again with the same -seed sends the same ids, so B replaces the
// readings instead of adding copies. -input reads a CSV file with a header
// (id, source, at, value, tags separated by ";") or a JSON array of objects
// with those members; at is RFC 3339 ("2024-03-01T12:00:00Z"), or
// "2024-03-01T12:00:00" for UTC. It prints what B stored and rejected and
// exits with status 1 on a fault.
//
// kolo/xmlrpc sends a time.Time as dateTime.iso8601 without its zone (so
// times are converted to UTC first), a []string as an array and a
// map[string]any as a struct; Client.Call goes through net/rpc, which
// flattens a fault into an rpc.ServerError reading "Fault(code): message".
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kolo/xmlrpc"
)

var (
	sources = []string{"boiler", "attic", "cellar", "garden"}
	tagSet  = []string{"indoor", "outdoor", "Calibrated", "battery-low", "INDOOR"}
	start   = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
)

func main() {
	server := flag.String("server", "http://127.0.0.1:8088/", "rpchost URL")
	count := flag.Int("count", 1000, "readings to generate")
	batch := flag.Int("batch", 500, "readings per records.ingest call")
	multicall := flag.Int("multicall", 0, "send this many ingest calls per request with system.multicall (0: one call per request)")
	seed := flag.Uint64("seed", 1, "seed of the generated readings")
	runID := flag.String("run-id", "", "id prefix (default seed<seed>, so that reruns replace)")
	input := flag.String("input", "", "read readings from this .csv or .json file instead")
	quiet := flag.Bool("quiet", false, "print only the totals")
	printOnly := flag.Bool("print", false, "print the readings, one JSON object a line, instead of sending them")
	flag.Parse()
	if *batch < 1 {
		fail("-batch must be at least 1")
	}
	run := *runID
	if run == "" {
		run = fmt.Sprintf("seed%d", *seed)
	}
	var readings []map[string]any
	var err error
	if *input != "" {
		readings, err = readInput(*input, run)
		if err != nil {
			fail("%v", err)
		}
	} else {
		readings = generate(*count, *seed, run)
	}
	if *printOnly {
		if err := printReadings(os.Stdout, readings); err != nil {
			fail("%v", err)
		}
		return
	}

	client, err := xmlrpc.NewClient(*server, nil)
	if err != nil {
		fail("%v", err)
	}
	defer client.Close()

	perRequest := max(*multicall, 1)
	var batches [][]any
	for i := 0; i < len(readings); i += *batch {
		b := make([]any, 0, *batch)
		for _, r := range readings[i:min(i+*batch, len(readings))] {
			b = append(b, r)
		}
		batches = append(batches, b)
	}
	stored, requests := 0, 0
	var rejected []string
	for i := 0; i < len(batches); i += perRequest {
		group := batches[i:min(i+perRequest, len(batches))]
		var results []map[string]any
		if *multicall > 0 {
			calls := make([]any, len(group))
			for j, b := range group {
				calls[j] = map[string]any{"methodName": "records.ingest", "params": []any{b}}
			}
			var out []any
			if err := client.Call("system.multicall", []any{calls}, &out); err != nil {
				fail("%v", err)
			}
			for _, o := range out {
				// Each answer is a one-element array, or a fault struct.
				if a, ok := o.([]any); ok && len(a) == 1 {
					if m, ok := a[0].(map[string]any); ok {
						results = append(results, m)
						continue
					}
				}
				if f, ok := o.(map[string]any); ok {
					fail("Fault(%v): %v", f["faultCode"], f["faultString"])
				}
				fail("unexpected multicall answer %v", o)
			}
		} else {
			var out map[string]any
			if err := client.Call("records.ingest", []any{group[0]}, &out); err != nil {
				fail("%v", err)
			}
			results = append(results, out)
		}
		requests++
		for j, res := range results {
			offset := (i + j) * *batch
			n, _ := res["stored"].(int64)
			stored += int(n)
			rej, _ := res["rejected"].([]any)
			for _, r := range rej {
				m, _ := r.(map[string]any)
				idx, _ := m["index"].(int64)
				rejected = append(rejected, fmt.Sprintf("rejected reading %d: %v", offset+int(idx), m["reason"]))
			}
		}
	}
	if !*quiet {
		for i, r := range rejected {
			if i == 20 {
				fmt.Printf("... and %d more\n", len(rejected)-20)
				break
			}
			fmt.Println(r)
		}
	}
	plural := "s"
	if requests == 1 {
		plural = ""
	}
	fmt.Printf("sent %d readings in %d request%s: stored %d, rejected %d\n", len(readings), requests, plural, stored, len(rejected))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "collector: "+format+"\n", args...)
	os.Exit(1)
}

// splitMix64 is the random numbers of the generated readings, written the
// same way in the Python collector so that both send identical readings
// for the same seed (math/rand and Python's random differ).
type splitMix64 struct{ state uint64 }

func (r *splitMix64) next() uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// intn returns a number in [0, n) (the modulo's bias is negligible here).
func (r *splitMix64) intn(n int) int { return int(r.next() % uint64(n)) }

// generate makes count readings that depend only on count, seed and run:
// one a minute per source, temperatures between -20 and 40, the same as
// the Python collector's, draw for draw.
func generate(count int, seed uint64, run string) []map[string]any {
	rng := &splitMix64{state: seed}
	out := make([]map[string]any, 0, count)
	for i := range count {
		second := rng.intn(60)
		r := map[string]any{
			"id":     fmt.Sprintf("%s-%06d", run, i),
			"source": sources[i%len(sources)],
			"at":     start.Add(time.Duration(i/len(sources))*time.Minute + time.Duration(second)*time.Second),
			"value":  float64(rng.intn(6001)-2000) / 100, // -20.00 to 40.00
		}
		if rng.intn(2) == 0 {
			n := 1 + rng.intn(2)
			picks := make([]int, len(tagSet))
			for j := range picks {
				picks[j] = j
			}
			for j := range n { // the first n steps of a Fisher-Yates shuffle
				k := j + rng.intn(len(picks)-j)
				picks[j], picks[k] = picks[k], picks[j]
			}
			tags := make([]string, n)
			for j, k := range picks[:n] {
				tags[j] = tagSet[k]
			}
			r["tags"] = tags
		}
		out = append(out, r)
	}
	return out
}

// printReadings writes one JSON object a line, at in RFC 3339 UTC: what
// -print shows.
func printReadings(w io.Writer, readings []map[string]any) error {
	enc := json.NewEncoder(w)
	for _, r := range readings {
		line := make(map[string]any, len(r))
		for k, v := range r {
			if t, ok := v.(time.Time); ok {
				v = t.UTC().Format(time.RFC3339)
			}
			line[k] = v
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

// readInput reads readings from a .json or .csv file.
func readInput(path, run string) ([]map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []map[string]any
	if strings.HasSuffix(path, ".json") {
		if err := json.NewDecoder(f).Decode(&rows); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	} else {
		rows, err = readCSV(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	out := make([]map[string]any, 0, len(rows))
	for i, row := range rows {
		r := map[string]any{"source": row["source"]}
		if id, _ := row["id"].(string); id != "" {
			r["id"] = id
		} else {
			r["id"] = fmt.Sprintf("%s-%06d", run, i)
		}
		if r["source"] == nil {
			r["source"] = ""
		}
		if at, ok := row["at"].(string); ok && at != "" {
			t, err := parseTime(at)
			if err != nil {
				return nil, fmt.Errorf("%s: reading %d: %w", path, i, err)
			}
			r["at"] = t
		} // else B rejects it: "at is missing"
		switch v := row["value"].(type) {
		case float64:
			r["value"] = v
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				r["value"] = f
			} else {
				r["value"] = v // B rejects it and says why
			}
		default:
			r["value"] = fmt.Sprint(v)
		}
		switch t := row["tags"].(type) {
		case string:
			var tags []string
			for _, s := range strings.Split(t, ";") {
				if strings.TrimSpace(s) != "" {
					tags = append(tags, s)
				}
			}
			if len(tags) > 0 {
				r["tags"] = tags
			}
		case []any:
			r["tags"] = t
		}
		out = append(out, r)
	}
	return out, nil
}

func readCSV(r io.Reader) ([]map[string]any, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, err
	}
	var rows []map[string]any
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		row := map[string]any{}
		for i, name := range head {
			if i < len(rec) {
				row[strings.TrimSpace(name)] = rec[i]
			}
		}
		rows = append(rows, row)
	}
}

// parseTime reads RFC 3339, or the same without a zone as UTC, and returns
// it in UTC: kolo/xmlrpc sends the time's clock reading without its zone.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("at %q is not an ISO 8601 time", s)
}
