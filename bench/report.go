package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// goals are the targets (2-core machine, side by side in one run).
const (
	goalVsCeiling     = 0.6
	goalVsPython      = 12.0
	goalP99           = 2 * time.Millisecond
	goalDispatch      = 3 * time.Microsecond
	goalAllocs        = 20
	goalWarmStartup   = 300 * time.Millisecond
	goalReloadNoCache = time.Second

	// Issue 17's.
	goalIngestPerReading = 3500 * time.Nanosecond // server CPU per stored reading, bbolt
	goalIngestVsPython   = 10.0                   // the Python B's CPU per reading ÷ rpchost's
	goalEchoPerReading   = 2 * time.Microsecond
	goalSum100k          = 1.0 / 3 // server CPU per request, against the baseline's
	goalSum1k            = 1.0 / 2
	goalIdleCopy         = 1 << 20 // bytes per extra idle copy of add
	goalManyPlugins      = 1000
	goalManyReady        = 3 * time.Second
	goalManyRSS          = 3 << 29 // 1.5 GiB after one call to each
	goalFirstCall        = 20 * time.Millisecond
	goalWarmStartup17    = 100 * time.Millisecond
	goalSDKDispatch      = 1500 * time.Nanosecond
)

// sdkDispatch is the micro-benchmark of issue 17's "SDK dispatch of add":
// parse, call of the Go SDK plugin, encode, in process.
const sdkDispatch = "BenchmarkDispatchDirect/sdk-add"

// check is one row of the targets table.
type check struct {
	Target, Measured, Met string
}

// checks compares the results with the goals; a goal whose part was not
// run reads "not measured".
func (r *results) checks(headline int) []check {
	var out []check
	add := func(target, measured string, met, known bool) {
		verdict := "not measured"
		switch {
		case !known:
			measured = "–"
		case met:
			verdict = "**met**"
		default:
			verdict = "**not met**"
		}
		out = append(out, check{target, measured, verdict})
	}
	rpc, okR := r.loadAt("rpchost add", headline)
	ceil, okC := r.loadAt("ceiling", headline)
	py, okP := r.loadAt("python classic", headline)
	c := fmt.Sprintf(" (%d connections)", headline)
	if okR && okC && ceil.RPS > 0 {
		ratio := rpc.RPS / ceil.RPS
		add("rpchost add ≥ 0.6× the bare Go HTTP ceiling's requests/s"+c,
			fmt.Sprintf("%.2f× (%s vs %s req/s)", ratio, rate(rpc.RPS), rate(ceil.RPS)), ratio >= goalVsCeiling, true)
	} else {
		add("rpchost add ≥ 0.6× the bare Go HTTP ceiling's requests/s"+c, "", false, false)
	}
	if okR && okP && py.RPS > 0 {
		ratio := rpc.RPS / py.RPS
		add("rpchost add ≥ 12× the classic Python server's requests/s"+c,
			fmt.Sprintf("%.1f× (%s vs %s req/s)", ratio, rate(rpc.RPS), rate(py.RPS)), ratio >= goalVsPython, true)
	} else {
		add("rpchost add ≥ 12× the classic Python server's requests/s"+c, "", false, false)
	}
	p99 := dur(rpc.P99)
	if okC {
		// The ceiling does no work: its p99 is what the machine itself adds.
		p99 += " (the ceiling's: " + dur(ceil.P99) + ")"
	}
	add("rpchost add p99 under 2 ms"+c, p99, rpc.P99 < goalP99, okR)
	for _, name := range []string{"BenchmarkDispatchDirect/sdk-add", "BenchmarkDispatchHTTP/sdk-add"} {
		m, ok := r.micro(name)
		ns := time.Duration(median(m.NsPerOp))
		add("in-process dispatch of add under 3 µs: "+strings.TrimPrefix(name, "Benchmark"),
			fmt.Sprintf("%s (median of %d)", dur(ns), len(m.NsPerOp)), ns < goalDispatch, ok)
		add("in-process dispatch of add under 20 allocations: "+strings.TrimPrefix(name, "Benchmark"),
			fmt.Sprintf("%d allocs/op, %d B/op", m.AllocsPerOp, m.BytesPerOp), m.AllocsPerOp < goalAllocs, ok)
	}
	warm, okW := r.startup("warm")
	add("start-up with the shipped plugins and a warm cache under 300 ms",
		fmt.Sprintf("%s median (%s)", dur(median(warm.Ready)), durs(warm.Ready)), median(warm.Ready) < goalWarmStartup, okW)
	off, okO := r.reload("off")
	add("a changed Go plugin serves its new version in under 1 s without the cache",
		fmt.Sprintf("%s median, %s worst (%s), for a %s module", dur(median(off.Serve)), dur(slices.Max(append([]time.Duration{0}, off.Serve...))), durs(off.Serve), mib(off.Bytes)),
		median(off.Serve) < goalReloadNoCache, okO)
	hundred := check{"resident memory with 100 plugins reported", "–", "not measured"}
	for _, p := range r.Plugins {
		if p.Plugins == 100 && strings.HasPrefix(p.Kind, "identical") && p.Build != "baseline" {
			hundred.Measured = fmt.Sprintf("%s after one call to each (%s when listening; %s more per plugin than with one)",
				mib(p.RSSCalled), mib(p.RSSReady), mib(p.PerPlugin))
			hundred.Met = "reported"
		}
	}
	out = append(out, hundred)
	return append(out, r.checks17(headline)...)
}

// checks17 are issue 17's targets: B's real job, big requests, many
// plugins, start-up, SDK dispatch, and no regression against the baseline.
func (r *results) checks17(headline int) []check {
	var out []check
	verdict := func(met bool) string {
		if met {
			return "**met**"
		}
		return "**not met**"
	}
	add := func(target, measured string, met bool) { out = append(out, check{target, measured, verdict(met)}) }
	skip := func(target, why string) { out = append(out, check{target, "– (" + why + ")", "not measured"}) }
	needBase := "needs -baseline"

	// B's real job.
	bolt, okB := r.ingestRow("rpchost records, bbolt")
	baseBolt, okBB := r.ingestRow("baseline records, bbolt")
	py, okP := r.ingestRow("python B, sqlite3")
	pg, okPG := r.ingestRow("rpchost records, postgres")
	rust, okR := r.ingestRow(rustIngestTarget)
	beside := func(okBase bool, base loadRow, okPy bool) string {
		var parts []string
		if okBase {
			parts = append(parts, "baseline "+cpuPerReading(base))
		}
		if okPy {
			parts = append(parts, "Python B "+cpuPerReading(py))
		}
		if len(parts) == 0 {
			return ""
		}
		return " (" + strings.Join(parts, ", ") + ")"
	}
	t := "records.ingest on bbolt ≤ 3.5 µs of server CPU per stored reading"
	if okB && bolt.ServerCPU > 0 {
		m := cpuPerReading(bolt) + beside(okBB, baseBolt, okP)
		if okR && rust.ServerCPU > 0 {
			// Judged on the shipped Go build; the Rust build shows the
			// guest language's share.
			m += "; the Rust build of the plugin " + cpuPerReading(rust)
		}
		add(t, m, perReading(bolt) <= goalIngestPerReading)
	} else {
		skip(t, "needs the ingest part")
	}
	t = "records.ingest on bbolt ≥ 10× cheaper than the Python B per stored reading"
	if okB && okP && bolt.ServerCPU > 0 && py.ServerCPU > 0 {
		ratio := float64(py.ServerCPU) / float64(bolt.ServerCPU)
		m := fmt.Sprintf("%.2f× (%s against the Python B's %s)", ratio, cpuPerReading(bolt), cpuPerReading(py))
		if okBB && baseBolt.ServerCPU > 0 {
			m += fmt.Sprintf("; the baseline's %.2f×", float64(py.ServerCPU)/float64(baseBolt.ServerCPU))
		}
		if okR && rust.ServerCPU > 0 {
			m += fmt.Sprintf("; the Rust build's %.2f× (%s)", float64(py.ServerCPU)/float64(rust.ServerCPU), cpuPerReading(rust))
		}
		add(t, m, ratio >= goalIngestVsPython)
	} else {
		skip(t, "needs the ingest part and python3")
	}
	t = "records.ingest on PostgreSQL, reported"
	if okPG && pg.ServerCPU > 0 {
		m := cpuPerReading(pg) + " rpchost + " + cpuPerReading(loadRow{ServerCPU: pg.StoreCPU, Readings: pg.Readings}) + " PostgreSQL"
		if okP && py.ServerCPU > 0 {
			m += fmt.Sprintf("; the Python B's %s is %.2f× both", cpuPerReading(py), float64(py.ServerCPU)/float64(pg.ServerCPU+pg.StoreCPU))
		}
		out = append(out, check{t, m, "reported"})
	} else {
		skip(t, "no PostgreSQL measurement: see the notes")
	}
	echo, okE := r.ingestRow("rpchost types.echo")
	baseEcho, okBE := r.ingestRow("baseline types.echo")
	t = "types.echo of the 500-reading batch ≤ 2 µs of server CPU per reading"
	if okE && echo.ServerCPU > 0 {
		add(t, cpuPerReading(echo)+beside(okBE, baseEcho, false), perReading(echo) <= goalEchoPerReading)
	} else {
		skip(t, "needs the ingest part")
	}

	// Big requests, against the baseline.
	for _, g := range []struct {
		ints  int
		goal  float64
		label string
	}{{100000, goalSum100k, "1/3"}, {1000, goalSum1k, "1/2"}} {
		t := fmt.Sprintf("sum of %s ints ≤ %s of the baseline's server CPU per request", rate(float64(g.ints)), g.label)
		cur, ok := r.sizeRow("rpchost sum", g.ints)
		base, okBase := r.sizeRow("baseline sum", g.ints)
		switch {
		case !ok || cur.ServerCPU == 0:
			skip(t, fmt.Sprintf("needs the size part with %d in -sizes", g.ints))
		case !okBase || base.ServerCPU == 0:
			skip(t, needBase)
		default:
			ratio := float64(cur.ServerCPU) / float64(base.ServerCPU)
			add(t, fmt.Sprintf("%.2f× (%s against %s)", ratio, dur(cur.ServerCPU), dur(base.ServerCPU)), ratio <= g.goal)
		}
	}

	// Many plugins.
	biggest, okBig := r.largestIdentical("rpchost")
	baseBig, okBaseBig := r.largestIdentical("baseline")
	t = "each extra idle copy of add < 1 MiB"
	if okBig && biggest.PerIdle != 0 {
		m := fmt.Sprintf("%s per copy when listening, %s after one call to each, from %d copies", mib(biggest.PerIdle), mib(biggest.PerPlugin), biggest.Plugins)
		if okBaseBig && baseBig.PerIdle != 0 {
			m += fmt.Sprintf(" (baseline %s and %s, from %d)", mib(baseBig.PerIdle), mib(baseBig.PerPlugin), baseBig.Plugins)
		}
		add(t, m, biggest.PerIdle < goalIdleCopy)
	} else {
		skip(t, "needs the plugins part with two -plugin-counts")
	}
	many, okMany := r.pluginsRow("rpchost", goalManyPlugins)
	baseMany, okBaseMany := r.largestIdentical("baseline")
	t = "1,000 plugins listening in < 3 s with a warm cache"
	if okMany {
		m := dur(many.Ready)
		if okBaseMany {
			m += fmt.Sprintf(" (baseline, %d plugins: %s)", baseMany.Plugins, dur(baseMany.Ready))
		}
		add(t, m, many.Ready < goalManyReady)
	} else {
		skip(t, "needs 1000 in -plugin-counts")
	}
	t = "1,000 plugins < 1.5 GiB RSS after one call to each"
	if okMany {
		m := fmt.Sprintf("%s (%s listening, peak %s)", mib(many.RSSCalled), mib(many.RSSReady), mib(many.Peak))
		if okBaseMany {
			m += fmt.Sprintf("; baseline, %d plugins: %s", baseMany.Plugins, mib(baseMany.RSSCalled))
		}
		add(t, m, many.RSSCalled < goalManyRSS && many.CallErrors == 0)
	} else {
		skip(t, "needs 1000 in -plugin-counts")
	}
	t = "first call to a cold Go plugin < 20 ms, p50 and p99"
	if okBig && len(biggest.FirstCalls) > 0 {
		p50, p99 := percentile(biggest.FirstCalls, 50), percentile(biggest.FirstCalls, 99)
		m := fmt.Sprintf("p50 %s, p99 %s over %d plugins never called before", dur(p50), dur(p99), len(biggest.FirstCalls))
		if okBaseBig && len(baseBig.FirstCalls) > 0 {
			m += fmt.Sprintf(" (baseline p50 %s, p99 %s over %d)", dur(percentile(baseBig.FirstCalls, 50)), dur(percentile(baseBig.FirstCalls, 99)), len(baseBig.FirstCalls))
		}
		add(t, m, p50 < goalFirstCall && p99 < goalFirstCall)
	} else {
		skip(t, "needs the plugins part")
	}

	// Start-up and dispatch.
	t = "start-up with the shipped plugins and a warm cache < 100 ms"
	if warm, ok := r.startup("warm"); ok {
		m := fmt.Sprintf("%s median (%s)", dur(median(warm.Ready)), durs(warm.Ready))
		if base, ok := r.baselineStartup(); ok {
			m += fmt.Sprintf("; baseline %s (%s)", dur(median(base.Ready)), durs(base.Ready))
		}
		add(t, m, median(warm.Ready) < goalWarmStartup17)
	} else {
		skip(t, "needs the startup part")
	}
	cur, okM := r.micro(sdkDispatch)
	base, okBM := r.baseMicro(sdkDispatch)
	name := strings.TrimPrefix(sdkDispatch, "Benchmark")
	t = "SDK dispatch of add < 1.5 µs: " + name
	if okM {
		ns := time.Duration(median(cur.NsPerOp))
		m := fmt.Sprintf("%s (median of %d)", dur(ns), len(cur.NsPerOp))
		if okBM {
			m += fmt.Sprintf("; baseline %s (median of %d)", dur(time.Duration(median(base.NsPerOp))), len(base.NsPerOp))
		}
		add(t, m, ns < goalSDKDispatch)
	} else {
		skip(t, "needs the micro part")
	}
	for _, bench := range []string{sdkDispatch, "BenchmarkDispatchHTTP/sdk-add"} {
		name := strings.TrimPrefix(bench, "Benchmark")
		t := "allocations of " + name + " ≤ the baseline's"
		cur, okM := r.micro(bench)
		base, okBM := r.baseMicro(bench)
		switch {
		case !okM:
			skip(t, "needs the micro part")
		case !okBM:
			skip(t, needBase)
		default:
			add(t, fmt.Sprintf("%d allocs/op, %d B/op against %d, %d B/op", cur.AllocsPerOp, cur.BytesPerOp, base.AllocsPerOp, base.BytesPerOp),
				cur.AllocsPerOp <= base.AllocsPerOp)
		}
	}

	// No regression on add.
	c := fmt.Sprintf(" (%d connections)", headline)
	rpc, okR := r.loadAt("rpchost add", headline)
	baseAdd, okBA := r.loadAt("baseline add", headline)
	for _, g := range []struct {
		target string
		ok     func() (string, bool)
	}{
		{"rpchost add requests/s ≥ the baseline's" + c, func() (string, bool) {
			return fmt.Sprintf("%.2f× (%s vs %s req/s)", rpc.RPS/baseAdd.RPS, rate(rpc.RPS), rate(baseAdd.RPS)), rpc.RPS >= baseAdd.RPS
		}},
		{"rpchost add p99 ≤ the baseline's" + c, func() (string, bool) {
			return fmt.Sprintf("%s vs %s", dur(rpc.P99), dur(baseAdd.P99)), rpc.P99 <= baseAdd.P99
		}},
	} {
		switch {
		case !okR:
			skip(g.target, "needs the throughput part at "+strconv.Itoa(headline)+" connections")
		case !okBA || baseAdd.RPS == 0:
			skip(g.target, needBase)
		default:
			m, met := g.ok()
			add(g.target, m, met)
		}
	}
	return out
}

// perReading is a row's server CPU per reading.
func perReading(l loadRow) time.Duration {
	if l.Readings == 0 {
		return 0
	}
	return l.ServerCPU / time.Duration(l.Readings)
}

func (r *results) ingestRow(target string) (loadRow, bool) {
	for _, l := range r.Ingest {
		if l.Target == target {
			return l, true
		}
	}
	return loadRow{}, false
}

func (r *results) sizeRow(target string, ints int) (loadRow, bool) {
	for _, l := range r.Sizes {
		if l.Target == target && l.Ints == ints {
			return l, true
		}
	}
	return loadRow{}, false
}

// pluginsRow is the identical-copies row of a build with n plugins.
func (r *results) pluginsRow(buildName string, n int) (pluginsRow, bool) {
	for _, p := range r.Plugins {
		if p.Build == buildName && p.Plugins == n && strings.HasPrefix(p.Kind, "identical") {
			return p, true
		}
	}
	return pluginsRow{}, false
}

// largestIdentical is a build's identical-copies row with the most plugins.
func (r *results) largestIdentical(buildName string) (pluginsRow, bool) {
	var best pluginsRow
	found := false
	for _, p := range r.Plugins {
		if p.Build == buildName && strings.HasPrefix(p.Kind, "identical") && (!found || p.Plugins > best.Plugins) {
			best, found = p, true
		}
	}
	return best, found
}

func (r *results) baseMicro(name string) (microRow, bool) {
	for _, m := range r.BaseMicro {
		if m.Name == name {
			return m, true
		}
	}
	return microRow{}, false
}

// baselineStartup is the baseline's warm start-up case.
func (r *results) baselineStartup() (startupRow, bool) {
	for _, s := range r.Startup {
		if strings.HasPrefix(s.Case, startupBaselinePrefix) {
			return s, true
		}
	}
	return startupRow{}, false
}

func (r *results) loadAt(target string, conc int) (loadRow, bool) {
	for _, l := range r.Load {
		if l.Target == target && l.Concurrency == conc {
			return l, true
		}
	}
	return loadRow{}, false
}

func (r *results) micro(name string) (microRow, bool) {
	for _, m := range r.Micro {
		if m.Name == name {
			return m, true
		}
	}
	return microRow{}, false
}

// startup is the working tree's start-up case whose name holds word.
func (r *results) startup(word string) (startupRow, bool) {
	for _, s := range r.Startup {
		if strings.Contains(s.Case, word) && !strings.HasPrefix(s.Case, startupBaselinePrefix) {
			return s, true
		}
	}
	return startupRow{}, false
}

func (r *results) reload(word string) (reloadRow, bool) {
	for _, s := range r.Reload {
		if strings.Contains(s.Case, word) {
			return s, true
		}
	}
	return reloadRow{}, false
}

// writeMarkdown renders the results as the results file.
func (r *results) writeMarkdown(w io.Writer, headline int) error {
	p := &printer{w: w}
	p.f("# rpchost benchmark results, %s on %s\n\n", r.Started.Format("2006-01-02 15:04 MST"), r.Machine.Host)
	p.f("`%s`, %s in all.\n\n", r.Command, r.Finished.Sub(r.Started).Round(time.Second))
	if r.Baseline != "" {
		p.f("Baseline: %s, built from its own tree and measured beside the working tree in this run; \"baseline …\" rows and the ratios against them.\n\n", r.Baseline)
	}
	m := r.Machine
	p.table([]string{"machine", ""}, [][]string{
		{"CPUs (nproc)", strconv.Itoa(m.CPUs)},
		{"CPU model", m.CPUModel},
		{"memory", m.MemTotal},
		{"kernel", m.Kernel},
		{"Go", m.Go},
		{"Python", m.Python},
		{"load average at start / end", m.LoadStart + " / " + m.LoadEnd},
	})
	if len(r.Setup) > 0 {
		p.f("Set-up:\n\n")
		for _, s := range r.Setup {
			p.f("- %s\n", s)
		}
		p.f("\n")
	}

	p.f("## Targets\n\n")
	var rows [][]string
	for _, c := range r.checks(headline) {
		rows = append(rows, []string{c.Target, c.Measured, c.Met})
	}
	p.table([]string{"target", "measured", ""}, rows)
	p.f("Where a target is not met, bench/README.md (\"Targets\" and \"Where the time goes\") says what the profiles show the time is spent on.\n\n")

	if len(r.Load) > 0 {
		p.f("## Throughput and latency: add(3, 4)\n\n")
		p.f("Every server gets the same request bytes (what Python's xmlrpc.client sends) from the same generator, " +
			"one request in flight per connection. CPU columns: CPU time per request of the server process and of the generator, " +
			"over the window; their sum against 2 cores says who was the bottleneck.\n\n")
		p.loadTable(r.Load, false)
		p.f("Ratios of requests/s:\n\n")
		p.ratios(r.Load)
	}
	if len(r.Sizes) > 0 {
		p.f("## Request size: sum(array of N ints)\n\n")
		p.loadTable(r.Sizes, true)
		p.sizesAgainstBaseline(r.Sizes)
	}
	if len(r.Ingest) > 0 || len(r.IngestChecks) > 0 {
		p.ingest(r.Ingest, r.IngestChecks)
	}
	if len(r.Startup) > 0 {
		p.f("## Start-up: process start to the listening line\n\n")
		rows = nil
		for _, s := range r.Startup {
			rows = append(rows, []string{s.Case, dur(median(s.Ready)), durs(s.Ready), dur(median(s.Reported)), mib(median(s.RSS))})
		}
		p.table([]string{"case", "median", "runs", "server's own startup= (median)", "RSS when listening"}, rows)
	}
	if len(r.Plugins) > 0 {
		p.plugins(r.Plugins)
	}
	if len(r.Reload) > 0 {
		p.f("## Hot reload: plugins/types.wasm written over x.wasm (was add.wasm), until x.echo answers\n\n")
		rows = nil
		for _, rl := range r.Reload {
			rows = append(rows, []string{rl.Case, dur(median(rl.Serve)), durs(rl.Serve), dur(median(rl.Loaded))})
		}
		p.table([]string{"case", "median", "runs", "load time the server logged (median)"}, rows)
	}
	if len(r.Uploads) > 0 {
		p.uploads(r.Uploads)
	}
	if len(r.Replicas) > 0 {
		p.replicas(r.Replicas)
	}
	if len(r.Micro) > 0 {
		p.micro(r.Micro, r.BaseMicro)
	}
	if len(r.Notes) > 0 {
		p.f("## Notes\n\n")
		for _, n := range r.Notes {
			p.f("- %s\n", n)
		}
		p.f("\n")
	}
	return p.err
}

// printer writes markdown and keeps the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) table(header []string, rows [][]string) {
	p.f("| %s |\n", strings.Join(header, " | "))
	p.f("|%s\n", strings.Repeat("---|", len(header)))
	for _, row := range rows {
		for i := range row {
			row[i] = strings.ReplaceAll(row[i], "|", `\|`)
		}
		p.f("| %s |\n", strings.Join(row, " | "))
	}
	p.f("\n")
}

func (p *printer) loadTable(rows []loadRow, sizes bool) {
	header := []string{"target", "connections", "req/s", "p50", "p99", "max", "errors", "server CPU/req", "generator CPU/req", "conns opened", "server RSS"}
	if sizes {
		header = append([]string{"ints", "body"}, header...)
	}
	var out [][]string
	for _, l := range rows {
		row := []string{l.Target, strconv.Itoa(l.Concurrency), rate(l.RPS), dur(l.P50), dur(l.P99), dur(l.Max),
			strconv.FormatUint(l.Errors, 10), dur(l.ServerCPU), dur(l.ClientCPU), strconv.FormatUint(l.Dials, 10), mib(l.ServerRSS)}
		if sizes {
			row = append([]string{rate(float64(l.Ints)), kib(l.BodyBytes)}, row...)
		}
		out = append(out, row)
	}
	p.table(header, out)
}

// ratios tabulates, per concurrency, rpchost's requests/s against the
// ceiling's and Python's.
func (p *printer) ratios(rows []loadRow) {
	var levels []int
	rps := map[string]map[int]float64{}
	for _, l := range rows {
		if !slices.Contains(levels, l.Concurrency) {
			levels = append(levels, l.Concurrency)
		}
		if rps[l.Target] == nil {
			rps[l.Target] = map[int]float64{}
		}
		rps[l.Target][l.Concurrency] = l.RPS
	}
	ratio := func(a, b string, c int) string {
		x, okA := rps[a][c]
		y, okB := rps[b][c]
		if !okA || !okB || y == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f×", x/y)
	}
	_, baseline := rps["baseline add"]
	p99 := map[int][2]time.Duration{}
	for _, l := range rows {
		v := p99[l.Concurrency]
		switch l.Target {
		case "rpchost add":
			v[0] = l.P99
		case "baseline add":
			v[1] = l.P99
		}
		p99[l.Concurrency] = v
	}
	var out [][]string
	for _, c := range levels {
		row := []string{strconv.Itoa(c),
			ratio("rpchost add", "ceiling", c), ratio("rpchost add", "python classic", c), ratio("rpchost add", "python keep-alive", c),
			ratio("rpchost numeric.add", "ceiling", c), ratio("rpchost add", "rpchost numeric.add", c)}
		if baseline {
			row = append(row, ratio("rpchost add", "baseline add", c), fmt.Sprintf("%s vs %s", dur(p99[c][0]), dur(p99[c][1])))
		}
		out = append(out, row)
	}
	header := []string{"connections", "rpchost add / ceiling", "rpchost add / python classic", "rpchost add / python keep-alive",
		"rpchost numeric.add / ceiling", "rpchost add / numeric.add"}
	if baseline {
		header = append(header, "rpchost add / baseline add", "p99, rpchost vs baseline")
	}
	p.table(header, out)
}

// sizesAgainstBaseline tabulates sum's server CPU per request of the
// working tree, the baseline and Python, per array length.
func (p *printer) sizesAgainstBaseline(rows []loadRow) {
	var ints []int
	cpu := map[string]map[int]time.Duration{}
	for _, l := range rows {
		if !slices.Contains(ints, l.Ints) {
			ints = append(ints, l.Ints)
		}
		if cpu[l.Target] == nil {
			cpu[l.Target] = map[int]time.Duration{}
		}
		cpu[l.Target][l.Ints] = l.ServerCPU
	}
	if cpu["baseline sum"] == nil {
		return
	}
	var out [][]string
	for _, n := range ints {
		cur, base := cpu["rpchost sum"][n], cpu["baseline sum"][n]
		ratio := "–"
		if cur != 0 && base != 0 {
			ratio = fmt.Sprintf("%.2f×", float64(cur)/float64(base))
		}
		out = append(out, []string{rate(float64(n)), dur(cur), dur(base), ratio, dur(cpu["python classic sum"][n])})
	}
	p.f("Server CPU per request against the baseline:\n\n")
	p.table([]string{"ints", "rpchost sum", "baseline sum", "rpchost / baseline", "python classic sum"}, out)
}

// median returns the middle value (the lower middle one for an even
// count), or the zero value for none.
func median[T cmp.Ordered](xs []T) T {
	if len(xs) == 0 {
		var zero T
		return zero
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// dur formats a duration with three significant digits in a fixed unit
// per magnitude, so that columns compare at a glance.
func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return sig3(float64(d)/1e3) + " µs"
	case d < time.Second:
		return sig3(float64(d)/1e6) + " ms"
	}
	return sig3(d.Seconds()) + " s"
}

// durs formats a list of durations.
func durs(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = dur(d)
	}
	return strings.Join(parts, ", ")
}

// sig3 keeps three significant digits.
func sig3(x float64) string {
	switch {
	case x >= 100:
		return strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	case x >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

// rate formats a number with thousands separators and no decimals.
func rate(x float64) string {
	s := strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func mib(b int64) string {
	if b == 0 {
		return "–"
	}
	return sig3(float64(b)/(1<<20)) + " MiB"
}

// kib formats a size in B, KiB or MiB.
func kib(b int) string {
	switch {
	case b < 10<<10:
		return strconv.Itoa(b) + " B"
	case b < 1<<20:
		return sig3(float64(b)/(1<<10)) + " KiB"
	}
	return mib(int64(b))
}

// ingest renders B's real job: readings/s and server CPU per stored
// reading of each server, the Python B against each rpchost, and what was
// verified.
func (p *printer) ingest(rows []loadRow, checks []string) {
	p.f("## B's real job: records.ingest of %d readings per request\n\n", ingestReadings)
	p.f("The same batches, byte for byte, to every server: half the readings tagged, every second batch replacing the previous one's ids. " +
		"Server CPU per reading is the server's CPU time over the window (all threads, 10 ms ticks) ÷ readings stored in it; " +
		"PostgreSQL's own (the postmaster and its backends) is a column of its own, and the ratios below count both. " +
		"The types.echo rows send the same 500 readings to types.echo (plugins/types.wasm, on the bbolt server): the cost of carrying the batch into a Go guest and back, with no validation and no store.\n\n")
	var out [][]string
	for _, l := range rows {
		n := float64(l.Readings)
		store := "–"
		if l.StoreCPU != 0 {
			store = cpuPerReading(loadRow{ServerCPU: l.StoreCPU, Readings: l.Readings})
		}
		out = append(out, []string{l.Target, strconv.Itoa(l.Concurrency), rate(l.RPS * n), rate(l.RPS), dur(l.P50), dur(l.P99),
			strconv.FormatUint(l.Errors, 10), cpuPerReading(l), store, dur(l.ServerCPU), dur(l.ClientCPU), mib(l.ServerRSS)})
	}
	p.table([]string{"server", "connections", "readings/s", "batches/s", "p50", "p99", "errors", "server CPU/reading",
		"PostgreSQL CPU/reading", "server CPU/batch", "generator CPU/batch", "server RSS"}, out)
	var py *loadRow
	for i := range rows {
		if strings.HasPrefix(rows[i].Target, "python") {
			py = &rows[i]
		}
	}
	if py != nil {
		out = nil
		for _, l := range rows {
			if l.Target == py.Target || l.ServerCPU == 0 || l.RPS == 0 || strings.HasSuffix(l.Target, "types.echo") {
				continue
			}
			out = append(out, []string{py.Target + " / " + l.Target,
				fmt.Sprintf("%.2f×", float64(py.ServerCPU)/float64(l.ServerCPU+l.StoreCPU)), fmt.Sprintf("%.2f×", l.RPS/py.RPS)})
		}
		p.table([]string{"Python B / rpchost", "CPU per stored reading (Python's ÷ rpchost's, PostgreSQL's included)", "readings/s (rpchost's ÷ Python's)"}, out)
	}
	out = nil
	for _, l := range rows {
		name, ok := strings.CutPrefix(l.Target, "rpchost ")
		if !ok {
			continue
		}
		i := slices.IndexFunc(rows, func(b loadRow) bool { return b.Target == "baseline "+name })
		if i < 0 || l.ServerCPU == 0 || rows[i].ServerCPU == 0 || rows[i].RPS == 0 {
			continue
		}
		b := rows[i]
		out = append(out, []string{name, cpuPerReading(l), cpuPerReading(b), fmt.Sprintf("%.2f×", float64(l.ServerCPU)/float64(b.ServerCPU)), fmt.Sprintf("%.2f×", l.RPS/b.RPS)})
	}
	if len(out) > 0 {
		p.table([]string{"against the baseline", "rpchost CPU/reading", "baseline CPU/reading", "CPU, rpchost ÷ baseline", "readings/s, rpchost ÷ baseline"}, out)
	}
	if len(checks) > 0 {
		p.f("Checks:\n\n")
		for _, c := range checks {
			p.f("- %s\n", c)
		}
		p.f("\n")
	}
}

// cpuPerReading is the server's CPU per stored reading, in µs to two
// decimals.
func cpuPerReading(l loadRow) string {
	if l.ServerCPU == 0 || l.Readings == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f µs", float64(l.ServerCPU)/float64(l.Readings)/1e3)
}

// plugins renders the plugins part: one row per server started, then
// where a distinct plugin's memory goes.
func (p *printer) plugins(rows []pluginsRow) {
	p.f("## Plugins loaded: copies of plugins/add.wasm\n\n")
	p.f("Per extra plugin: against the smallest identical row of the same build, when listening (no plugin called: idle copies) and after one call to each. " +
		"First call: the latency of the first call to each plugin, none called before, one at a time over one kept-alive connection. " +
		"Code: resident executable mappings (/proc/<pid>/smaps), the server's text and the machine code wazero compiled.\n\n")
	var out [][]string
	for _, pl := range rows {
		out = append(out, []string{pl.Build, strconv.Itoa(pl.Plugins), pl.Kind, dur(pl.Ready), mib(pl.RSSReady), mib(pl.RSSCalled), mib(pl.Peak),
			mib(pl.PerIdle), mib(pl.PerPlugin), dur(percentile(pl.FirstCalls, 50)), dur(percentile(pl.FirstCalls, 99)), mib(pl.CodeCalled), perCode(pl),
			strconv.Itoa(pl.CallErrors)})
	}
	p.table([]string{"build", "plugins", "kind", "start-up", "RSS listening", "RSS after one call each", "peak RSS",
		"per extra idle plugin", "per extra plugin after a call", "first call p50", "first call p99", "code RSS", "code per extra plugin", "call errors"}, out)
	if s := whereDistinctMemoryGoes(rows); s != "" {
		p.f("%s\n\n", s)
	}
}

// whereDistinctMemoryGoes compares a distinct plugin's memory with an
// identical copy's: the difference is what its own compiled module costs,
// and the executable mappings say how much of that is machine code.
func whereDistinctMemoryGoes(rows []pluginsRow) string {
	var ident, dist *pluginsRow
	for i := range rows {
		r := &rows[i]
		if r.Build != "rpchost" || r.PerPlugin == 0 {
			continue
		}
		switch {
		case strings.HasPrefix(r.Kind, "identical") && (ident == nil || r.Plugins > ident.Plugins):
			ident = r
		case strings.HasPrefix(r.Kind, "distinct") && strings.Contains(r.Kind, "warm") && dist == nil:
			dist = r
		}
	}
	if ident == nil || dist == nil {
		return ""
	}
	extra := dist.PerPlugin - ident.PerPlugin
	code := dist.PerCode - ident.PerCode
	return fmt.Sprintf("Where a distinct plugin's memory goes (warm cache, after one call to each): %s per distinct plugin against %s per identical copy, "+
		"so %s is its own compiled module; of that, %s is resident machine code (executable mappings) and %s the rest "+
		"(wazero's compiled-module structures, the module's bytes and metadata, Go heap).",
		mib(dist.PerPlugin), mib(ident.PerPlugin), signedMiB(extra), signedMiB(code), signedMiB(extra-code))
}

// perCode is the code column per extra plugin: none for the smallest row.
func perCode(pl pluginsRow) string {
	if pl.PerIdle == 0 && pl.PerPlugin == 0 {
		return "–"
	}
	return signedMiB(pl.PerCode)
}

// signedMiB is mib for a difference, which may be negative or zero.
func signedMiB(b int64) string {
	if b > -5<<10 && b < 5<<10 { // 0.00 MiB at three digits
		return "0 MiB"
	}
	if b < 0 {
		return "−" + mib(-b)
	}
	return mib(b)
}

// micro renders the micro-benchmarks, with the baseline's beside them.
func (p *printer) micro(rows, base []microRow) {
	p.f("## Micro-benchmarks: one dispatch in process, and the Go plugin's call three ways\n\n")
	header := []string{"benchmark", "median", "ns/op, each run", "B/op", "allocs/op"}
	if len(base) > 0 {
		header = append(header, "baseline median", "baseline ns/op, each run", "baseline B/op", "baseline allocs/op", "median / baseline's")
	}
	runs := func(m microRow) string {
		var out []string
		for _, ns := range m.NsPerOp {
			out = append(out, strconv.FormatFloat(ns, 'f', 0, 64))
		}
		return strings.Join(out, " ")
	}
	var out [][]string
	for _, mr := range rows {
		row := []string{strings.TrimPrefix(mr.Name, "Benchmark"), dur(time.Duration(median(mr.NsPerOp))),
			runs(mr), strconv.FormatInt(mr.BytesPerOp, 10), strconv.FormatInt(mr.AllocsPerOp, 10)}
		if len(base) > 0 {
			i := slices.IndexFunc(base, func(b microRow) bool { return b.Name == mr.Name })
			if i < 0 {
				row = append(row, "–", "–", "–", "–", "–")
			} else {
				b := base[i]
				row = append(row, dur(time.Duration(median(b.NsPerOp))), runs(b), strconv.FormatInt(b.BytesPerOp, 10),
					strconv.FormatInt(b.AllocsPerOp, 10), fmt.Sprintf("%.2f×", median(mr.NsPerOp)/median(b.NsPerOp)))
			}
		}
		out = append(out, row)
	}
	for _, b := range base {
		if !slices.ContainsFunc(rows, func(m microRow) bool { return m.Name == b.Name }) {
			out = append(out, []string{strings.TrimPrefix(b.Name, "Benchmark") + " (baseline only)", "–", "–", "–", "–",
				dur(time.Duration(median(b.NsPerOp))), runs(b), strconv.FormatInt(b.BytesPerOp, 10), strconv.FormatInt(b.AllocsPerOp, 10), "–"})
		}
	}
	p.table(header, out)
}
