package main

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// runMicro runs the in-process dispatch benchmarks of host/ (see
// host/dispatch_bench_test.go), the XML-RPC codec's on typical and large
// documents (internal/xmlrpc/bench_test.go), and the Go plugin's call plain,
// with wazero's WithCloseOnContextDone and instrumented (internal/interrupt),
// and keeps their numbers with the rest.
func (h *harness) runMicro(ctx context.Context) error {
	// -p 1: go test runs packages in parallel by default, and two
	// benchmark binaries sharing the CPUs would slow each other.
	args := []string{"test", "-p", "1", "./host", "./internal/xmlrpc", "./internal/interrupt", "-run", "^$",
		"-bench", "Dispatch|ParseRequest|AppendResponse|GoPluginCall", "-benchmem",
		"-count", strconv.Itoa(h.opts.microCount), "-benchtime", h.opts.microTime}
	h.logf("micro-benchmarks: go %s", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = h.ws.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	rows, err := parseBench(string(out))
	if err != nil {
		return err
	}
	for _, r := range rows {
		h.logf("  %-50s %8.0f ns/op %6d B/op %3d allocs/op", r.Name, median(r.NsPerOp), r.BytesPerOp, r.AllocsPerOp)
	}
	h.res.Micro = rows
	h.res.Setup = append(h.res.Setup, "micro-benchmarks: go "+strings.Join(args, " "))
	return nil
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
