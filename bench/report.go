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
)

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
		if p.Plugins == 100 && strings.HasPrefix(p.Kind, "identical") {
			hundred.Measured = fmt.Sprintf("%s after one call to each (%s when listening; %s more per plugin than with one)",
				mib(p.RSSCalled), mib(p.RSSReady), mib(p.PerPlugin))
			hundred.Met = "reported"
		}
	}
	out = append(out, hundred)
	return out
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

func (r *results) startup(word string) (startupRow, bool) {
	for _, s := range r.Startup {
		if strings.Contains(s.Case, word) {
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
		p.f("## Plugins loaded: copies of plugins/add.wasm\n\n")
		rows = nil
		for _, pl := range r.Plugins {
			per := ""
			if pl.PerPlugin != 0 {
				per = mib(pl.PerPlugin)
			}
			rows = append(rows, []string{strconv.Itoa(pl.Plugins), pl.Kind, dur(pl.Ready), mib(pl.RSSReady), mib(pl.RSSCalled), per, mib(pl.Peak), strconv.Itoa(pl.CallErrors)})
		}
		p.table([]string{"plugins", "kind", "start-up", "RSS when listening", "RSS after one call each", "per extra plugin", "peak RSS", "call errors"}, rows)
	}
	if len(r.Reload) > 0 {
		p.f("## Hot reload: plugins/types.wasm written over x.wasm (was add.wasm), until x.echo answers\n\n")
		rows = nil
		for _, rl := range r.Reload {
			rows = append(rows, []string{rl.Case, dur(median(rl.Serve)), durs(rl.Serve), dur(median(rl.Loaded))})
		}
		p.table([]string{"case", "median", "runs", "load time the server logged (median)"}, rows)
	}
	if len(r.Micro) > 0 {
		p.f("## Micro-benchmarks: one dispatch in process, and the Go plugin's call three ways\n\n")
		rows = nil
		for _, mr := range r.Micro {
			var runs []string
			for _, ns := range mr.NsPerOp {
				runs = append(runs, strconv.FormatFloat(ns, 'f', 0, 64))
			}
			rows = append(rows, []string{strings.TrimPrefix(mr.Name, "Benchmark"), dur(time.Duration(median(mr.NsPerOp))),
				strings.Join(runs, " "), strconv.FormatInt(mr.BytesPerOp, 10), strconv.FormatInt(mr.AllocsPerOp, 10)})
		}
		p.table([]string{"benchmark", "median", "ns/op, each run", "B/op", "allocs/op"}, rows)
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
	var out [][]string
	for _, c := range levels {
		out = append(out, []string{strconv.Itoa(c),
			ratio("rpchost add", "ceiling", c), ratio("rpchost add", "python classic", c), ratio("rpchost add", "python keep-alive", c),
			ratio("rpchost numeric.add", "ceiling", c), ratio("rpchost add", "rpchost numeric.add", c)})
	}
	p.table([]string{"connections", "rpchost add / ceiling", "rpchost add / python classic", "rpchost add / python keep-alive",
		"rpchost numeric.add / ceiling", "rpchost add / numeric.add"}, out)
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
		"PostgreSQL's own (the postmaster and its backends) is a column of its own, and the ratios below count both.\n\n")
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
			if l.Target == py.Target || l.ServerCPU == 0 || l.RPS == 0 {
				continue
			}
			out = append(out, []string{py.Target + " / " + l.Target,
				fmt.Sprintf("%.2f×", float64(py.ServerCPU)/float64(l.ServerCPU+l.StoreCPU)), fmt.Sprintf("%.2f×", l.RPS/py.RPS)})
		}
		p.table([]string{"Python B / rpchost", "CPU per stored reading (Python's ÷ rpchost's, PostgreSQL's included)", "readings/s (rpchost's ÷ Python's)"}, out)
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
