package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestFormatting(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "–",
		512:                     "512 ns",
		1500:                    "1.50 µs",
		25_300:                  "25.3 µs",
		999_400:                 "999 µs",
		1_234_567:               "1.23 ms",
		250 * time.Millisecond:  "250 ms",
		1500 * time.Millisecond: "1.50 s",
	} {
		if got := dur(d); got != want {
			t.Errorf("dur(%v) = %q, want %q", d, got, want)
		}
	}
	for x, want := range map[float64]string{0: "0", 999.6: "1,000", 12345.4: "12,345", 1234567: "1,234,567"} {
		if got := rate(x); got != want {
			t.Errorf("rate(%v) = %q, want %q", x, got, want)
		}
	}
	if got := mib(3 << 20); got != "3.00 MiB" {
		t.Errorf("mib = %q", got)
	}
	if got := kib(2_600_000); got != "2.48 MiB" {
		t.Errorf("kib = %q", got)
	}
	if got := median([]time.Duration{5, 1, 3, 2}); got != 2 {
		t.Errorf("median of an even count = %v, want the lower middle 2", got)
	}
	if got := median([]float64{}); got != 0 {
		t.Errorf("median of nothing = %v", got)
	}
}

func TestMedianRow(t *testing.T) {
	rows := []loadRow{{RPS: 300, P99: 3}, {RPS: 100, P99: 1}, {RPS: 200, P99: 2}}
	if got := medianRow(rows); got.RPS != 200 || got.P99 != 2 {
		t.Errorf("medianRow = %+v, want the 200 req/s round whole", got)
	}
}

// sample is a run with every part, numbers made up.
func sample() *results {
	ms := time.Millisecond
	return &results{
		Started:  time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		Finished: time.Date(2026, 11, 25, 10, 4, 0, 0, time.UTC),
		Command:  "go run ./bench",
		Machine:  machine{Host: "box", CPUs: 2, CPUModel: "AMD EPYC", Go: "go1.26"},
		Load: []loadRow{
			{Target: "rpchost add", Concurrency: 8, RPS: 30000, P50: 250 * time.Microsecond, P99: 1500 * time.Microsecond},
			{Target: "python classic", Concurrency: 8, RPS: 2000},
			{Target: "ceiling", Concurrency: 8, RPS: 60000},
		},
		Sizes:   []loadRow{{Target: "rpchost sum", Concurrency: 8, Ints: 100000, BodyBytes: 2_600_000, RPS: 40}},
		Startup: []startupRow{{Case: "shipped plugins, warm cache", Ready: []time.Duration{200 * ms, 220 * ms, 180 * ms}}},
		Plugins: []pluginsRow{
			{Plugins: 1, Kind: "identical copies, warm cache", RSSCalled: 40 << 20},
			{Plugins: 100, Kind: "identical copies, warm cache", RSSCalled: 535 << 20},
		},
		Reload: []reloadRow{{Case: "cache off (compiled on the spot)", Serve: []time.Duration{1200 * ms, 900 * ms, 1100 * ms}}},
		Micro: []microRow{
			{Name: "BenchmarkDispatchDirect/sdk-add", NsPerOp: []float64{9000, 8000, 10000}, AllocsPerOp: 14, BytesPerOp: 779},
			{Name: "BenchmarkDispatchHTTP/sdk-add", NsPerOp: []float64{2500}, AllocsPerOp: 20, BytesPerOp: 900},
		},
		Notes: []string{"a note | with a pipe"},
	}
}

func TestChecks(t *testing.T) {
	r := sample()
	perPlugin(r.Plugins)
	got := map[string]check{}
	for _, c := range r.checks(8) {
		got[c.Target] = c
	}
	want := map[string]string{
		"rpchost add ≥ 0.6× the bare Go HTTP ceiling's requests/s (8 connections)":  "**not met**", // 0.5×
		"rpchost add ≥ 12× the classic Python server's requests/s (8 connections)":  "**met**",     // 15×
		"rpchost add p99 under 2 ms (8 connections)":                                "**met**",
		"in-process dispatch of add under 3 µs: DispatchDirect/sdk-add":             "**not met**",
		"in-process dispatch of add under 20 allocations: DispatchDirect/sdk-add":   "**met**",
		"in-process dispatch of add under 3 µs: DispatchHTTP/sdk-add":               "**met**",
		"in-process dispatch of add under 20 allocations: DispatchHTTP/sdk-add":     "**not met**", // 20 is not under 20
		"start-up with the shipped plugins and a warm cache under 300 ms":           "**met**",
		"a changed Go plugin serves its new version in under 1 s without the cache": "**not met**", // median 1.1 s
		"resident memory with 100 plugins reported":                                 "reported",
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
	if m := got["rpchost add ≥ 0.6× the bare Go HTTP ceiling's requests/s (8 connections)"].Measured; m != "0.50× (30,000 vs 60,000 req/s)" {
		t.Errorf("ceiling ratio measured as %q", m)
	}
	if m := got["resident memory with 100 plugins reported"].Measured; !strings.Contains(m, "535 MiB") || !strings.Contains(m, "5.00 MiB more per plugin") {
		t.Errorf("100 plugins measured as %q", m)
	}
	// A concurrency or a part that was not measured is said to be so.
	for _, c := range r.checks(64) {
		if strings.Contains(c.Target, "64 connections") && (c.Met != "not measured" || !strings.HasPrefix(c.Measured, "–")) {
			t.Errorf("%s: %q %q, want – not measured", c.Target, c.Measured, c.Met)
		}
	}
	for _, c := range (&results{}).checks(8) {
		if c.Met != "not measured" || !strings.HasPrefix(c.Measured, "–") {
			t.Errorf("empty results: %s: %q %q, want – not measured", c.Target, c.Measured, c.Met)
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	r := sample()
	var b bytes.Buffer
	if err := r.writeMarkdown(&b, 8); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"# rpchost benchmark results, 2026-11-25 10:00 UTC on box",
		"`go run ./bench`, 4m0s in all.",
		"| CPUs (nproc) | 2 |",
		"## Targets",
		"| rpchost add | 8 | 30,000 | 250 µs | 1.50 ms |",
		"| 8 | 0.50× | 15.00× | – |",
		"| 100,000 | 2.48 MiB | rpchost sum | 8 | 40 |",
		"| shipped plugins, warm cache | 200 ms | 200 ms, 220 ms, 180 ms |",
		"| DispatchDirect/sdk-add | 9.00 µs | 9000 8000 10000 | 779 | 14 |",
		"- a note | with a pipe", // notes are a list, not a table: kept as is
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the markdown lacks %q:\n%s", want, md)
		}
	}
	// Every table row has as many cells as its header.
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
}
