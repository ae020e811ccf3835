package main

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// microPackages hold the micro-benchmarks, microBenchmarks selects them.
var microPackages = []string{"./host", "./internal/xmlrpc", "./internal/interrupt"}

const microBenchmarks = "Dispatch|ParseRequest|AppendResponse|GoPluginCall"

// microCompile is the command that builds the test binary of pkg, in the
// tree it runs in, to out.
func microCompile(pkg, out string) []string {
	return []string{"go", "test", "-c", "-o", out, pkg}
}

// microRun is the command line of one run of a test binary: every
// benchmark once (-count 1); runMicro repeats it.
func microRun(binary, benchtime string) []string {
	return []string{binary, "-test.run", "^$", "-test.bench", microBenchmarks, "-test.benchmem", "-test.count", "1", "-test.benchtime", benchtime}
}

// runMicro runs the in-process dispatch benchmarks of host/ (see
// host/dispatch_bench_test.go), the XML-RPC codec's on typical and large
// documents (internal/xmlrpc/bench_test.go), and the Go plugin's call plain,
// with wazero's WithCloseOnContextDone and instrumented (internal/interrupt),
// and keeps their numbers with the rest. The test binaries are built
// first, then run one after the other, -micro-count times; with
// -baseline, the baseline's binaries, built in its tree, run after the
// working tree's each time, so that both see the same moments of the
// machine.
func (h *harness) runMicro(ctx context.Context) error {
	type bin struct {
		b        *build
		pkg, exe string
	}
	var bins []bin
	for _, b := range h.ws.all() {
		for _, pkg := range microPackages {
			exe := filepath.Join(h.ws.tmp, "bin", b.name+"-"+strings.ReplaceAll(strings.TrimPrefix(pkg, "./"), "/", "-")+".test")
			c := microCompile(pkg, exe)
			cmd := exec.CommandContext(ctx, c[0], c[1:]...)
			cmd.Dir = b.root
			if out, err := cmd.CombinedOutput(); err != nil {
				if b == h.ws.base {
					h.note("micro: the baseline's %s was not measured: in %s: %s: %v\n%s", pkg, b.root, strings.Join(c, " "), err, out)
					continue
				}
				return fmt.Errorf("in %s: %s: %w\n%s", b.root, strings.Join(c, " "), err, out)
			}
			bins = append(bins, bin{b, pkg, exe})
		}
	}
	h.logf("micro-benchmarks: %s, %d runs each", strings.Join(microRun("<pkg>.test", h.opts.microTime), " "), h.opts.microCount)
	rows := map[*build][]microRow{}
	// -p 1 as it were: one benchmark binary at a time, since two sharing
	// the CPUs would slow each other.
	for range h.opts.microCount {
		for _, pkg := range microPackages {
			for _, bn := range bins {
				if bn.pkg != pkg {
					continue
				}
				c := microRun(bn.exe, h.opts.microTime)
				cmd := exec.CommandContext(ctx, c[0], c[1:]...)
				cmd.Dir = filepath.Join(bn.b.root, pkg) // as go test runs it
				out, err := cmd.CombinedOutput()
				if err != nil {
					return fmt.Errorf("%s in %s: %w\n%s", strings.Join(c, " "), cmd.Dir, err, out)
				}
				got, err := parseBench(string(out))
				if err != nil {
					return fmt.Errorf("%s in %s: %w", strings.Join(c, " "), cmd.Dir, err)
				}
				rows[bn.b] = mergeBench(rows[bn.b], got)
			}
		}
	}
	h.res.Micro = rows[h.ws.cur]
	for _, r := range h.res.Micro {
		h.logf("  %-50s %8.0f ns/op %6d B/op %3d allocs/op", r.Name, median(r.NsPerOp), r.BytesPerOp, r.AllocsPerOp)
	}
	if b := h.ws.base; b != nil {
		h.res.BaseMicro = rows[b]
		for _, r := range h.res.BaseMicro {
			h.logf("  baseline %-41s %8.0f ns/op %6d B/op %3d allocs/op", r.Name, median(r.NsPerOp), r.BytesPerOp, r.AllocsPerOp)
		}
	}
	h.res.Setup = append(h.res.Setup, fmt.Sprintf("micro-benchmarks: the test binaries of %s (`go test -c`, in each tree), each run as `%s` in its package's directory, %d times, alternated",
		strings.Join(microPackages, ", "), strings.Join(microRun("<pkg>.test", h.opts.microTime), " "), h.opts.microCount))
	return nil
}

// mergeBench adds the runs of more to rows, by benchmark name, keeping the
// order first seen and the largest B/op and allocs/op.
func mergeBench(rows, more []microRow) []microRow {
	for _, m := range more {
		i := slices.IndexFunc(rows, func(r microRow) bool { return r.Name == m.Name })
		if i < 0 {
			rows = append(rows, microRow{Name: m.Name})
			i = len(rows) - 1
		}
		rows[i].NsPerOp = append(rows[i].NsPerOp, m.NsPerOp...)
		rows[i].BytesPerOp = max(rows[i].BytesPerOp, m.BytesPerOp)
		rows[i].AllocsPerOp = max(rows[i].AllocsPerOp, m.AllocsPerOp)
	}
	return rows
}

// benchLine matches a `go test -bench -benchmem` result line; the -N
// GOMAXPROCS suffix is dropped from the name.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+[\d.]+ MB/s)?\s+(\d+) B/op\s+(\d+) allocs/op`)

// parseBench collects the results of `go test -bench -benchmem` output,
// one row per benchmark with every -count run's ns/op, in the order seen.
func parseBench(out string) ([]microRow, error) {
	var rows []microRow
	index := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, fmt.Errorf("benchmark line %q: %w", sc.Text(), err)
		}
		bytes, _ := strconv.ParseInt(m[3], 10, 64)
		allocs, _ := strconv.ParseInt(m[4], 10, 64)
		i, ok := index[m[1]]
		if !ok {
			i = len(rows)
			index[m[1]] = i
			rows = append(rows, microRow{Name: m[1]})
		}
		rows[i].NsPerOp = append(rows[i].NsPerOp, ns)
		rows[i].BytesPerOp = max(rows[i].BytesPerOp, bytes)
		rows[i].AllocsPerOp = max(rows[i].AllocsPerOp, allocs)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no benchmark results in the output:\n%s", out)
	}
	return rows, nil
}
