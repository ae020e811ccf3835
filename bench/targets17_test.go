package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// sample17 is a run with -baseline and every issue 17 figure, made up.
func sample17() *results {
	r := sample()
	ms, us := time.Millisecond, time.Microsecond
	r.Baseline = "e401e67"
	r.Load = append(r.Load, loadRow{Target: "baseline add", Concurrency: 8, RPS: 28000, P99: 1400 * us})
	r.Sizes = append(r.Sizes,
		loadRow{Target: "baseline sum", Concurrency: 8, Ints: 100000, RPS: 20, ServerCPU: 27 * ms},
		loadRow{Target: "rpchost sum", Concurrency: 8, Ints: 1000, RPS: 5000, ServerCPU: 200 * us},
		loadRow{Target: "baseline sum", Concurrency: 8, Ints: 1000, RPS: 4000, ServerCPU: 300 * us},
		loadRow{Target: "python classic sum", Concurrency: 8, Ints: 1000, RPS: 200, ServerCPU: 4 * ms})
	r.Sizes[0].ServerCPU = 8 * ms // 100,000 ints: 8 of 27 ms, under a third
	r.Ingest = []loadRow{
		{Target: "rpchost records, bbolt", Concurrency: 4, Readings: 500, RPS: 40, ServerCPU: 1500 * us},     // 3 µs per reading
		{Target: "baseline records, bbolt", Concurrency: 4, Readings: 500, RPS: 18, ServerCPU: 17 * ms},      // 34 µs
		{Target: "rpchost records (Rust), bbolt", Concurrency: 4, Readings: 500, RPS: 60, ServerCPU: 1 * ms}, // 2 µs
		{Target: "rpchost records, postgres", Concurrency: 4, Readings: 500, RPS: 9, ServerCPU: 5 * ms, StoreCPU: 10 * ms},
		{Target: "python B, sqlite3", Concurrency: 4, Readings: 500, RPS: 12, ServerCPU: 16500 * us},  // 33 µs
		{Target: "rpchost types.echo", Concurrency: 4, Readings: 500, RPS: 300, ServerCPU: 1250 * us}, // 2.5 µs
		{Target: "baseline types.echo", Concurrency: 4, Readings: 500, RPS: 80, ServerCPU: 6 * ms},
	}
	calls := func(d time.Duration, n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = d
		}
		return out
	}
	r.Plugins = []pluginsRow{
		{Build: "rpchost", Plugins: 1, Kind: "identical copies, warm cache", Ready: 50 * ms, RSSReady: 30 << 20, RSSCalled: 34 << 20, FirstCalls: calls(3*ms, 1)},
		{Build: "baseline", Plugins: 1, Kind: "identical copies, warm cache", Ready: 120 * ms, RSSReady: 44 << 20, RSSCalled: 44 << 20},
		{Build: "baseline", Plugins: 100, Kind: "identical copies, warm cache", Ready: 890 * ms, RSSReady: 568 << 20, RSSCalled: 569 << 20, FirstCalls: calls(ms/2, 100)},
		{Build: "rpchost", Plugins: 1000, Kind: "identical copies, warm cache", Ready: 2500 * ms, RSSReady: 530 << 20, RSSCalled: 1200 << 20,
			FirstCalls: append(calls(4*ms, 985), calls(30*ms, 15)...)}, // p99 30 ms
		{Build: "rpchost", Plugins: 10, Kind: "distinct copies, warm cache", RSSCalled: 200 << 20},
	}
	perPlugin(r.Plugins)
	r.Startup = append(r.Startup, startupRow{Case: "baseline e401e67: its shipped plugins (5 files, 5 loaded), warm cache", Ready: []time.Duration{185 * ms}})
	r.Startup[0].Ready = []time.Duration{90 * ms, 95 * ms, 120 * ms}
	r.Micro[0].NsPerOp = []float64{1400, 1450, 1600}
	r.Micro[0].AllocsPerOp = 3
	r.BaseMicro = []microRow{
		{Name: "BenchmarkDispatchDirect/sdk-add", NsPerOp: []float64{2500}, AllocsPerOp: 3},
		{Name: "BenchmarkDispatchHTTP/sdk-add", NsPerOp: []float64{3500}, AllocsPerOp: 6},
		{Name: "BenchmarkGone", NsPerOp: []float64{1}},
	}
	return r
}

func TestChecks17(t *testing.T) {
	got := map[string]check{}
	for _, c := range sample17().checks(8) {
		got[c.Target] = c
	}
	want := map[string]string{
		"records.ingest on bbolt ≤ 3.5 µs of server CPU per stored reading":          "**met**",     // 3 µs
		"records.ingest on bbolt ≥ 10× cheaper than the Python B per stored reading": "**met**",     // 11×
		"records.ingest on PostgreSQL, reported":                                     "reported",    //
		"types.echo of the 500-reading batch ≤ 2 µs of server CPU per reading":       "**not met**", // 2.5 µs
		"sum of 100,000 ints ≤ 1/3 of the baseline's server CPU per request":         "**met**",     // 8 of 27 ms
		"sum of 1,000 ints ≤ 1/2 of the baseline's server CPU per request":           "**not met**", // 200 of 300 µs
		"each extra idle copy of add < 1 MiB":                                        "**met**",     // 0.5 MiB
		"1,000 plugins listening in < 3 s with a warm cache":                         "**met**",
		"1,000 plugins < 1.5 GiB RSS after one call to each":                         "**met**",
		"first call to a cold Go plugin < 20 ms, p50 and p99":                        "**not met**", // p99 30 ms
		"start-up with the shipped plugins and a warm cache < 100 ms":                "**met**",     // median 95 ms
		"start-up with the shipped plugins and a warm cache under 300 ms":            "**met**",
		"SDK dispatch of add < 1.5 µs: DispatchDirect/sdk-add":                       "**met**", // 1.45 µs
		"allocations of DispatchDirect/sdk-add ≤ the baseline's":                     "**met**",
		"allocations of DispatchHTTP/sdk-add ≤ the baseline's":                       "**not met**", // 20 against 6
		"rpchost add requests/s ≥ the baseline's (8 connections)":                    "**met**",     // 30,000 vs 28,000
		"rpchost add p99 ≤ the baseline's (8 connections)":                           "**not met**", // 1.5 vs 1.4 ms
		"rpchost add ≥ 0.6× the bare Go HTTP ceiling's requests/s (8 connections)":   "**not met**",
		"resident memory with 100 plugins reported":                                  "not measured", // the working tree ran 1 and 1,000
		"a changed Go plugin serves its new version in under 1 s without the cache":  "**not met**",
		"in-process dispatch of add under 3 µs: DispatchDirect/sdk-add":              "**met**",
		"rpchost add ≥ 12× the classic Python server's requests/s (8 connections)":   "**met**",
		"in-process dispatch of add under 20 allocations: DispatchHTTP/sdk-add":      "**not met**",
		"in-process dispatch of add under 20 allocations: DispatchDirect/sdk-add":    "**met**",
		"in-process dispatch of add under 3 µs: DispatchHTTP/sdk-add":                "**met**",
		"rpchost add p99 under 2 ms (8 connections)":                                 "**met**",
	}
	for target, verdict := range want {
		c, ok := got[target]
		if !ok {
			t.Errorf("no check %q", target)
			continue
		}
		if c.Met != verdict {
			t.Errorf("%s: %q (%s), want %q", target, c.Met, c.Measured, verdict)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d checks, %d expected: %v", len(got), len(want), got)
	}
	for target, parts := range map[string][]string{
		"records.ingest on bbolt ≤ 3.5 µs of server CPU per stored reading":          {"3.0 µs", "baseline 34.0 µs", "Python B 33.0 µs", "the Rust build of the plugin 2.0 µs"},
		"records.ingest on bbolt ≥ 10× cheaper than the Python B per stored reading": {"11.00×", "the baseline's 0.97×", "the Rust build's 16.50× (2.0 µs)"},
		"records.ingest on PostgreSQL, reported":                                     {"10.0 µs rpchost + 20.0 µs PostgreSQL", "1.10× both"},
		"sum of 100,000 ints ≤ 1/3 of the baseline's server CPU per request":         {"0.30× (8.00 ms against 27.0 ms)"},
		"each extra idle copy of add < 1 MiB":                                        {"0.50 MiB per copy when listening", "from 1000 copies", "baseline 5.29 MiB"},
		"first call to a cold Go plugin < 20 ms, p50 and p99":                        {"p50 4.00 ms, p99 30.0 ms over 1000", "baseline p50 500 µs"},
		"start-up with the shipped plugins and a warm cache < 100 ms":                {"95.0 ms median", "baseline 185 ms"},
		"SDK dispatch of add < 1.5 µs: DispatchDirect/sdk-add":                       {"1.45 µs", "baseline 2.50 µs"},
		"rpchost add requests/s ≥ the baseline's (8 connections)":                    {"1.07× (30,000 vs 28,000 req/s)"},
	} {
		for _, p := range parts {
			if !strings.Contains(got[target].Measured, p) {
				t.Errorf("%s: %q lacks %q", target, got[target].Measured, p)
			}
		}
	}

	// Without -baseline, what needs it says so.
	r := sample17()
	r.Baseline, r.BaseMicro = "", nil
	r.Load = r.Load[:len(r.Load)-1]
	var sizes []loadRow
	for _, l := range r.Sizes {
		if !strings.HasPrefix(l.Target, "baseline") {
			sizes = append(sizes, l)
		}
	}
	r.Sizes = sizes
	for _, c := range r.checks(8) {
		if strings.Contains(c.Target, "baseline") && (c.Met != "not measured" || !strings.Contains(c.Measured, "needs -baseline")) {
			t.Errorf("without -baseline: %s: %q %q", c.Target, c.Measured, c.Met)
		}
	}
}

func TestWriteMarkdownWithBaseline(t *testing.T) {
	var b bytes.Buffer
	if err := sample17().writeMarkdown(&b, 8); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"Baseline: e401e67, built from its own tree",
		"| rpchost add / baseline add | p99, rpchost vs baseline |",
		"| 8 | 0.50× | 15.00× | – | – | – | 1.07× | 1.50 ms vs 1.40 ms |",
		"| 100,000 | 8.00 ms | 27.0 ms | 0.30× | – |",
		"| records, bbolt | 3.0 µs | 34.0 µs | 0.09× | 2.22× |",
		"| types.echo | 2.5 µs | 12.0 µs | 0.21× | 3.75× |",
		"| python B, sqlite3 / rpchost records, bbolt | 11.00× |",
		"| baseline | 100 | identical copies, warm cache | 890 ms |",
		"| DispatchDirect/sdk-add | 1.45 µs | 1400 1450 1600 | 779 | 3 | 2.50 µs | 2500 | 0 | 3 | 0.58× |",
		"| Gone (baseline only) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "python B, sqlite3 / rpchost types.echo") {
		t.Error("types.echo, which stores nothing, is set against the Python B")
	}
	var cols int
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("row %q has %d separators, its header %d", line, n, cols)
		}
	}
	if t.Failed() {
		t.Log(md)
	}
}
