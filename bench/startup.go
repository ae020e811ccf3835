package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rpchost/rpchost/bench/load"
)

// runStartup measures how long rpchost takes from exec to listening with
// the shipped plugins (every plugins/*.wasm): with an empty compilation
// cache (every Go module is compiled), a warm one (compiled code read from
// disk) and none.
func (h *harness) runStartup(ctx context.Context) error {
	h.logf("start-up: shipped plugins, %d runs per case", h.opts.reps)
	dir, n, err := h.shippedDir(h.ws.cur)
	if err != nil {
		return err
	}
	warm, err := h.ws.dir("cache-startup-warm")
	if err != nil {
		return err
	}
	first, err := h.startOnce(ctx, "rpchost (warming the cache)", dir, warm)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("shipped plugins (%d files, %d loaded)", n, first.plugins)
	if first.plugins != n {
		h.note("start-up: %d of the %d shipped plugins loaded with the default configuration", first.plugins, n)
	}
	type startCase struct {
		row   *startupRow
		b     *build
		dir   string
		cache func() (string, error)
	}
	fixed := func(dir string) func() (string, error) { return func() (string, error) { return dir, nil } }
	cases := []startCase{
		{&startupRow{Case: what + ", cold cache (empty directory)"}, h.ws.cur, dir, func() (string, error) { return h.ws.dir("cache-startup-cold") }},
		{&startupRow{Case: what + ", warm cache"}, h.ws.cur, dir, fixed(warm)},
		{&startupRow{Case: what + ", cache off"}, h.ws.cur, dir, fixed("off")},
	}
	if b := h.ws.base; b != nil {
		bdir, bn, err := h.shippedDir(b)
		if err != nil {
			return err
		}
		bwarm, err := h.ws.dir("cache-startup-warm-baseline")
		if err != nil {
			return err
		}
		bfirst, err := h.startOnceOf(ctx, b, "baseline (warming the cache)", bdir, bwarm)
		if err != nil {
			return err
		}
		// Placed right after the working tree's warm case, so that the
		// two warm starts run next to each other in every repetition.
		cases = slices.Insert(cases, 2, startCase{&startupRow{
			Case: fmt.Sprintf("%s %s: its shipped plugins (%d files, %d loaded), warm cache", startupBaselinePrefix, b.rev, bn, bfirst.plugins)}, b, bdir, fixed(bwarm)})
	}
	for range h.opts.reps {
		for _, c := range cases {
			cache, err := c.cache()
			if err != nil {
				return err
			}
			s, err := h.startOnceOf(ctx, c.b, c.b.name, c.dir, cache)
			if err != nil {
				return err
			}
			c.row.Ready = append(c.row.Ready, s.ready)
			c.row.Reported = append(c.row.Reported, s.reported)
			c.row.RSS = append(c.row.RSS, s.rss)
		}
	}
	for _, c := range cases {
		h.logf("  %-45s median %v", c.row.Case, median(c.row.Ready))
		h.res.Startup = append(h.res.Startup, *c.row)
	}
	return nil
}

// startupBaselinePrefix begins the baseline's start-up case.
const startupBaselinePrefix = "baseline"

// shippedDir makes a plugin directory holding every plugins/*.wasm of
// build b, and returns it with how many there are.
func (h *harness) shippedDir(b *build) (string, int, error) {
	shipped, err := filepath.Glob(filepath.Join(b.root, "plugins", "*.wasm"))
	if err != nil {
		return "", 0, err
	}
	files := map[string]string{}
	for _, path := range shipped {
		files[strings.TrimSuffix(filepath.Base(path), ".wasm")] = path
	}
	dir, err := h.ws.pluginDir("startup-plugins-"+b.name, files)
	return dir, len(files), err
}

// started is what one start-up measured.
type started struct {
	ready    time.Duration
	reported time.Duration
	rss      int64
	plugins  int // as the listening line says
}

// startOnce starts rpchost, reads its start-up time and memory, and stops it.
func (h *harness) startOnce(ctx context.Context, name, pluginDir, cacheDir string) (started, error) {
	return h.startOnceOf(ctx, h.ws.cur, name, pluginDir, cacheDir)
}

// startOnceOf is startOnce with the server of build b.
func (h *harness) startOnceOf(ctx context.Context, b *build, name, pluginDir, cacheDir string) (started, error) {
	s, err := h.servers.start(ctx, h.ws.rpchostSpecOf(b, name, pluginDir, cacheDir), h.opts.readyTimeout)
	if err != nil {
		return started{}, err
	}
	defer h.stop(s)
	return h.readStarted(s)
}

func (h *harness) readStarted(s *server) (started, error) {
	mem, err := readMemory(s.pid())
	if err != nil {
		return started{}, err
	}
	reported, err := time.ParseDuration(logField(s.line, "startup"))
	if err != nil {
		return started{}, fmt.Errorf("the listening line %q has no startup=DURATION: %w", s.line, err)
	}
	plugins, err := strconv.Atoi(logField(s.line, "plugins"))
	if err != nil {
		return started{}, fmt.Errorf("the listening line %q has no plugins=N: %w", s.line, err)
	}
	return started{ready: s.ready, reported: reported, rss: mem.RSS, plugins: plugins}, nil
}

// runPlugins measures start-up time, resident memory and first-call
// latency with 1 to 1,000 copies of the add plugin, named p000, p001, ...;
// byte-identical copies (wazero compiles one and shares its machine code)
// with a warm cache, and copies made distinct by a custom section (each
// compiled on its own) with a cold and then a warm cache. With -baseline,
// the baseline's add is measured the same way, each count right after the
// working tree's.
func (h *harness) runPlugins(ctx context.Context) error {
	h.logf("plugins: %v identical copies, %v distinct copies of add", h.opts.pluginCounts, h.opts.distinctCounts)
	type side struct {
		b      *build
		add    []byte
		warm   string
		counts []int
	}
	var sides []*side
	for _, b := range h.ws.all() {
		add, err := os.ReadFile(b.shipped("add"))
		if err != nil {
			return err
		}
		warm, err := h.ws.dir("cache-plugins-warm-" + b.name)
		if err != nil {
			return err
		}
		counts := h.opts.pluginCounts
		if b == h.ws.base {
			counts = h.opts.baselineCounts
		}
		sides = append(sides, &side{b: b, add: add, warm: warm, counts: counts})
	}
	var all []int
	for _, s := range sides {
		all = append(all, s.counts...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	for _, n := range all {
		for _, s := range sides {
			if !slices.Contains(s.counts, n) {
				continue
			}
			if reason := h.tooBig(s.b.name, n); reason != "" {
				h.note("plugins: %d copies of %s's add were not started: %s", n, s.b.name, reason)
				h.logf("  %d copies of %s's add skipped: %s", n, s.b.name, reason)
				continue
			}
			dir, err := h.copies(s.add, n, false)
			if err != nil {
				return err
			}
			// Each directory is warmed, as a restart's would be: rpchost
			// keeps in the cache the SHA-256 of each module file by its
			// stat (host/digests.go), and only for a file whose change
			// time was 2 s old when read, so the copies are let age first.
			select {
			case <-time.After(settleCopies):
			case <-ctx.Done():
				return ctx.Err()
			}
			if _, err := h.startOnceOf(ctx, s.b, s.b.name+" (warming the cache)", dir, s.warm); err != nil {
				return err
			}
			row, err := h.pluginsOnce(ctx, s.b, dir, s.warm, n, "identical copies, warm cache")
			if err != nil {
				return err
			}
			h.res.Plugins = append(h.res.Plugins, row)
			perPlugin(h.res.Plugins)
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	for _, n := range h.opts.distinctCounts {
		dir, err := h.copies(sides[0].add, n, true)
		if err != nil {
			return err
		}
		cache, err := h.ws.dir("cache-plugins-distinct")
		if err != nil {
			return err
		}
		for _, kind := range []string{"distinct copies, cold cache", "distinct copies, warm cache"} {
			row, err := h.pluginsOnce(ctx, h.ws.cur, dir, cache, n, kind)
			if err != nil {
				return err
			}
			h.res.Plugins = append(h.res.Plugins, row)
		}
	}
	perPlugin(h.res.Plugins)
	return nil
}

// tooBig says why n copies of a build's add should not be started on
// this machine, or "": when the memory the build's rows so far need per
// plugin, times n, would take more than half of what is available. Other
// work shares the machine, and an out-of-memory kill would take some of it
// down with the harness.
func (h *harness) tooBig(buildName string, n int) string {
	var per int64
	for _, r := range h.res.Plugins {
		if r.Build == buildName && strings.HasPrefix(r.Kind, "identical") {
			per = max(per, r.PerPlugin, r.PerIdle)
		}
	}
	avail, err := memAvailable()
	if err != nil || per == 0 {
		return ""
	}
	if need := per * int64(n); need > avail/2 {
		return fmt.Sprintf("at %s per plugin they would need %s, more than half the %s available", mib(per), mib(need), mib(avail))
	}
	return ""
}

// settleCopies is how long new copies are left before the start that
// warms the cache for them: more than host's racyWindow (2 s).
const settleCopies = 2500 * time.Millisecond

// copies makes a plugin directory with n copies of wasm.
func (h *harness) copies(wasm []byte, n int, distinctBytes bool) (string, error) {
	dir, err := h.ws.dir(fmt.Sprintf("plugins-%d", n))
	if err != nil {
		return "", err
	}
	for i := range n {
		name := fmt.Sprintf("p%03d", i)
		b := wasm
		if distinctBytes {
			b = distinct(wasm, name)
		}
		if err := writeDated(filepath.Join(dir, name+".wasm"), b); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// pluginsOnce starts rpchost of build b on dir, calls every plugin once,
// timing each of these first calls, and reads its memory before and after.
func (h *harness) pluginsOnce(ctx context.Context, b *build, dir, cache string, n int, kind string) (pluginsRow, error) {
	s, err := h.servers.start(ctx, h.ws.rpchostSpecOf(b, b.name, dir, cache), h.opts.readyTimeout)
	if err != nil {
		return pluginsRow{}, err
	}
	defer h.stop(s)
	st, err := h.readStarted(s)
	if err != nil {
		return pluginsRow{}, err
	}
	if st.plugins != n {
		h.note("%d plugins (%s, %s): the server loaded %d", n, b.name, kind, st.plugins)
	}
	row := pluginsRow{Build: b.name, Plugins: n, Kind: kind, Ready: st.ready, RSSReady: st.rss}
	if row.CodeReady, err = readCodeRSS(s.pid()); err != nil {
		return pluginsRow{}, err
	}
	client := &http.Client{Timeout: h.opts.timeout}
	defer client.CloseIdleConnections()
	// The connection is opened before the first plugin's call, so that
	// its dial is not counted as part of that call.
	// A method no plugin has answers a fault without touching a plugin.
	if err := callBody(ctx, client, s.addr, load.PythonCall("bench-no-such-plugin.nothing"), 0); err != nil && !errors.Is(err, load.ErrWrongAnswer) {
		h.note("%d plugins: opening the connection: %v", n, err)
	}
	for i := range n {
		begin := time.Now()
		if err := call(ctx, client, s.addr, fmt.Sprintf("p%03d.add", i), 7); err != nil {
			row.CallErrors++
			h.note("%d plugins: %v", n, err)
			continue
		}
		row.FirstCalls = append(row.FirstCalls, time.Since(begin))
	}
	sleepCtx(ctx, time.Second) // let the calls' garbage be collected
	mem, err := readMemory(s.pid())
	if err != nil {
		return pluginsRow{}, err
	}
	row.RSSCalled, row.Peak = mem.RSS, mem.Peak
	if row.CodeCalled, err = readCodeRSS(s.pid()); err != nil {
		return pluginsRow{}, err
	}
	h.logf("  %-8s %4d plugins, %-28s ready in %-8v RSS %s, after calls %s; first call p50 %v p99 %v",
		b.name, n, kind, st.ready.Round(time.Millisecond), mib(st.rss), mib(mem.RSS), percentile(row.FirstCalls, 50), percentile(row.FirstCalls, 99))
	return row, nil
}

// perPlugin fills PerIdle, PerPlugin and PerCode: the memory each plugin
// beyond the smallest identical row of the same build adds. Distinct rows
// are set against that identical row too, so that per distinct plugin
// minus per identical plugin is what a plugin's own compiled module
// costs.
func perPlugin(rows []pluginsRow) {
	base := map[string]pluginsRow{}
	for _, r := range rows {
		if !strings.HasPrefix(r.Kind, "identical") {
			continue
		}
		if b, ok := base[r.Build]; !ok || r.Plugins < b.Plugins {
			base[r.Build] = r
		}
	}
	for i, r := range rows {
		b, ok := base[r.Build]
		if !ok || r.Plugins <= b.Plugins {
			continue
		}
		n := int64(r.Plugins - b.Plugins)
		rows[i].PerIdle = (r.RSSReady - b.RSSReady) / n
		rows[i].PerPlugin = (r.RSSCalled - b.RSSCalled) / n
		rows[i].PerCode = (r.CodeCalled - b.CodeCalled) / n
	}
}

// percentile is the nearest-rank percentile p of ds, 0 for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// call makes one XML-RPC call of method(3, 4) and checks the answer.
func call(ctx context.Context, client *http.Client, addr, method string, want int64) error {
	return callBody(ctx, client, addr, load.PythonCall(method, int64(3), int64(4)), want)
}

func callBody(ctx context.Context, client *http.Client, addr string, body []byte, want int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/RPC2", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %s", addr, resp.Status)
	}
	return load.CheckInt(b, want)
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
