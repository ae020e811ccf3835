package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rpchost/rpchost/bench/load"
)

// target is one server and the call the load generator sends it.
type target struct {
	name   string
	server *server
	body   []byte
	want   int64
	ints   int // array length, for the request-size curve
	// readings per request, for the ingest part; prepare and check then
	// rewrite each request and verify each response (see load.Config).
	readings int
	prepare  func(body []byte)
	check    func(body []byte) error
	// store, when not 0, is the pid of a store server the target uses
	// (PostgreSQL): its CPU time and its children's is reported apart.
	store int
}

// measure runs the load generator against t with c connections and
// samples the server's CPU time and memory as the window opens and closes.
func (h *harness) measure(ctx context.Context, t target, c int) (loadRow, error) {
	var cpu0, cpu1, self0, self1, store0, store1 time.Duration
	var mem memory
	var sampleErr error
	res, err := load.Run(ctx, load.Config{
		Addr:        t.server.addr,
		Body:        t.body,
		Want:        t.want,
		Prepare:     t.prepare,
		Check:       t.check,
		Connections: c,
		Warmup:      h.opts.warmup,
		Duration:    h.opts.duration,
		Timeout:     h.opts.timeout,
		OnWindow: func(open bool) {
			cpu, err := readCPUTime(t.server.pid())
			if err != nil {
				sampleErr = err
			}
			var store time.Duration
			if t.store != 0 {
				if store, err = treeCPUTime(t.store); err != nil {
					sampleErr = err
				}
			}
			if open {
				cpu0, self0, store0 = cpu, selfCPUTime(), store
				return
			}
			cpu1, self1, store1 = cpu, selfCPUTime(), store
			if mem, err = readMemory(t.server.pid()); err != nil {
				sampleErr = err
			}
		},
	})
	if err != nil {
		return loadRow{}, fmt.Errorf("%s, %d connections: %w", t.name, c, err)
	}
	row := loadRow{
		Target:      t.name,
		Concurrency: c,
		Ints:        t.ints,
		Readings:    t.readings,
		BodyBytes:   len(t.body),
		RPS:         res.RequestsPerSecond(),
		P50:         res.Latency.Percentile(50),
		P99:         res.Latency.Percentile(99),
		Max:         res.Latency.Max(),
		Requests:    res.Requests,
		Errors:      res.ErrorCount(),
		FirstError:  res.FirstError,
		Dials:       res.Dials,
		ServerRSS:   mem.RSS,
	}
	if res.Requests > 0 && sampleErr == nil {
		row.ServerCPU = (cpu1 - cpu0) / time.Duration(res.Requests)
		row.ClientCPU = (self1 - self0) / time.Duration(res.Requests)
		row.StoreCPU = (store1 - store0) / time.Duration(res.Requests)
	}
	if sampleErr != nil {
		h.note("%s, %d connections: sampling the server failed: %v", t.name, c, sampleErr)
	}
	if row.Errors > 0 {
		h.note("%s, %d connections: %d errors, the first: %s", t.name, c, row.Errors, row.FirstError)
	}
	if t.readings > 0 {
		store := ""
		if t.store != 0 {
			store = " (PostgreSQL: " + cpuPerReading(loadRow{ServerCPU: row.StoreCPU, Readings: t.readings}) + ")"
		}
		h.logf("  %-26s c=%-3d %7.0f readings/s  server CPU %s per reading%s  p50 %-9v p99 %-9v errors %d",
			t.name, c, row.RPS*float64(t.readings), cpuPerReading(row), store, row.P50, row.P99, row.Errors)
		return row, nil
	}
	h.logf("  %-22s c=%-3d %9.0f req/s  p50 %-9v p99 %-9v errors %d", t.name, c, row.RPS, row.P50, row.P99, row.Errors)
	return row, nil
}

// medianRow returns the round with the median requests/s (the lower
// middle one for an even count).
func medianRow(rows []loadRow) loadRow {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, func(a, b loadRow) int {
		switch {
		case a.RPS < b.RPS:
			return -1
		case a.RPS > b.RPS:
			return 1
		}
		return 0
	})
	return sorted[(len(sorted)-1)/2]
}

// runThroughput is part 1 and the concurrency curve: rpchost's add and
// numeric.add, the classic Python server (HTTP/1.0 as shipped, and with
// keep-alive), and the bare Go ceiling, each at every concurrency, the
// targets interleaved so that a noisy moment of the shared machine does
// not land on one of them only.
func (h *harness) runThroughput(ctx context.Context) error {
	h.logf("throughput: %v connections, %v warm-up + %v each", h.opts.concurrency, h.opts.warmup, h.opts.duration)
	dir, err := h.ws.pluginDir("throughput-plugins", map[string]string{
		"add":     h.ws.shipped("add"),
		"numeric": h.ws.shipped("numeric"),
	})
	if err != nil {
		return err
	}
	rpc, err := h.servers.start(ctx, h.ws.rpchostSpec("rpchost", dir, h.cacheDir), h.opts.readyTimeout)
	if err != nil {
		return err
	}
	defer h.stop(rpc)
	addBody := load.PythonCall("add", int64(3), int64(4))
	targets := []target{
		{name: "rpchost add", server: rpc, body: addBody, want: 7},
		{name: "rpchost numeric.add", server: rpc, body: load.PythonCall("numeric.add", int64(3), int64(4)), want: 7},
	}
	if b := h.ws.base; b != nil {
		bdir, err := h.ws.pluginDir("throughput-plugins-baseline", map[string]string{"add": b.shipped("add")})
		if err != nil {
			return err
		}
		base, err := h.servers.start(ctx, h.ws.rpchostSpecOf(b, "baseline", bdir, h.baseCacheDir), h.opts.readyTimeout)
		if err != nil {
			return err
		}
		defer h.stop(base)
		targets = append(targets, target{name: "baseline add", server: base, body: addBody, want: 7})
	}
	if h.ws.python != "" {
		for _, keepAlive := range []bool{false, true} {
			py, err := h.servers.start(ctx, h.ws.pythonSpec(keepAlive), h.opts.readyTimeout)
			if err != nil {
				return err
			}
			defer h.stop(py)
			name := "python classic"
			if keepAlive {
				name = "python keep-alive"
			}
			targets = append(targets, target{name: name, server: py, body: addBody, want: 7})
		}
	} else {
		h.note("python3 is not installed: the classic server was not measured")
	}
	ceiling, err := h.servers.start(ctx, h.ws.ceilingSpec(), h.opts.readyTimeout)
	if err != nil {
		return err
	}
	defer h.stop(ceiling)
	targets = append(targets, target{name: "ceiling", server: ceiling, body: addBody, want: 7})

	rows, err := h.interleave(ctx, targets, h.opts.concurrency)
	h.res.Load = append(h.res.Load, rows...)
	return err
}

// interleave measures every target at every concurrency, rounds times,
// and returns the median round of each.
func (h *harness) interleave(ctx context.Context, targets []target, levels []int) ([]loadRow, error) {
	type key struct {
		target string
		conc   int
	}
	byKey := map[key][]loadRow{}
	for round := range h.opts.rounds {
		if h.opts.rounds > 1 {
			h.logf(" round %d of %d", round+1, h.opts.rounds)
		}
		for _, c := range levels {
			for _, t := range targets {
				row, err := h.measure(ctx, t, c)
				if err != nil {
					return nil, err
				}
				k := key{t.name, c}
				byKey[k] = append(byKey[k], row)
			}
		}
	}
	var rows []loadRow
	for _, c := range levels {
		for _, t := range targets {
			rows = append(rows, medianRow(byKey[key{t.name, c}]))
		}
	}
	return rows, nil
}

// runSizes is the request-size curve: sum over arrays of 10 to 100,000
// ints, rpchost's SDK guest against the classic server.
func (h *harness) runSizes(ctx context.Context) error {
	h.logf("request size: %v ints, %d connections", h.opts.sizes, h.opts.sizeConcurrency)
	dir, err := h.ws.pluginDir("size-plugins", map[string]string{"sum": h.ws.cur.sumWasm})
	if err != nil {
		return err
	}
	rpc, err := h.servers.start(ctx, h.ws.rpchostSpec("rpchost", dir, h.cacheDir), h.opts.readyTimeout)
	if err != nil {
		return err
	}
	defer h.stop(rpc)
	var base, py *server
	if b := h.ws.base; b != nil {
		bdir, err := h.ws.pluginDir("size-plugins-baseline", map[string]string{"sum": b.sumWasm})
		if err != nil {
			return err
		}
		if base, err = h.servers.start(ctx, h.ws.rpchostSpecOf(b, "baseline", bdir, h.baseCacheDir), h.opts.readyTimeout); err != nil {
			return err
		}
		defer h.stop(base)
	}
	if h.ws.python != "" {
		if py, err = h.servers.start(ctx, h.ws.pythonSpec(false), h.opts.readyTimeout); err != nil {
			return err
		}
		defer h.stop(py)
	}
	for _, n := range h.opts.sizes {
		values := make([]int64, n)
		var total int64
		for i := range values {
			values[i] = int64(i % 100) // small: Python's int is 32-bit on the wire
			total += values[i]
		}
		body := load.PythonCall("sum", values)
		targets := []target{{name: "rpchost sum", server: rpc, body: body, want: total, ints: n}}
		if base != nil {
			targets = append(targets, target{name: "baseline sum", server: base, body: body, want: total, ints: n})
		}
		if py != nil {
			targets = append(targets, target{name: "python classic sum", server: py, body: body, want: total, ints: n})
		}
		rows, err := h.interleave(ctx, targets, []int{h.opts.sizeConcurrency})
		h.res.Sizes = append(h.res.Sizes, rows...)
		if err != nil {
			return err
		}
	}
	return nil
}
