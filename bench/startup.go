package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
	shipped, err := filepath.Glob(filepath.Join(h.ws.root, "plugins", "*.wasm"))
	if err != nil {
		return err
	}
	files := map[string]string{}
	for _, path := range shipped {
		files[strings.TrimSuffix(filepath.Base(path), ".wasm")] = path
	}
	dir, err := h.ws.pluginDir("startup-plugins", files)
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
	what := fmt.Sprintf("shipped plugins (%d files, %d loaded)", len(files), first.plugins)
	if first.plugins != len(files) {
		h.note("start-up: %d of the %d shipped plugins loaded with the default configuration", first.plugins, len(files))
	}
	cases := []*startupRow{
		{Case: what + ", cold cache (empty directory)"},
		{Case: what + ", warm cache"},
		{Case: what + ", cache off"},
	}
	for range h.opts.reps {
		cold, err := h.ws.dir("cache-startup-cold")
		if err != nil {
			return err
		}
		for i, cache := range []string{cold, warm, "off"} {
			s, err := h.startOnce(ctx, "rpchost", dir, cache)
			if err != nil {
				return err
			}
			c := cases[i]
			c.Ready = append(c.Ready, s.ready)
			c.Reported = append(c.Reported, s.reported)
			c.RSS = append(c.RSS, s.rss)
		}
	}
	for _, c := range cases {
		h.logf("  %-45s median %v", c.Case, median(c.Ready))
		h.res.Startup = append(h.res.Startup, *c)
	}
	return nil
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
	s, err := h.servers.start(ctx, h.ws.rpchostSpec(name, pluginDir, cacheDir), h.opts.readyTimeout)
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

// runPlugins measures start-up time and resident memory with 1, 10 and
// 100 copies of the add plugin, named p000, p001, ...; byte-identical
// copies (wazero compiles one and shares its machine code) with a warm
// cache, and copies made distinct by a custom section (each compiled on
// its own) with a cold and then a warm cache.
func (h *harness) runPlugins(ctx context.Context) error {
	h.logf("plugins: %v identical copies, %v distinct copies of add", h.opts.pluginCounts, h.opts.distinctCounts)
	add, err := os.ReadFile(h.ws.shipped("add"))
	if err != nil {
		return err
	}
	warm, err := h.ws.dir("cache-plugins-warm")
	if err != nil {
		return err
	}
	for _, n := range h.opts.pluginCounts {
		dir, err := h.copies(add, n, false)
		if err != nil {
			return err
		}
		if n == h.opts.pluginCounts[0] {
			if _, err := h.startOnce(ctx, "rpchost (warming the cache)", dir, warm); err != nil {
				return err
			}
		}
		row, err := h.pluginsOnce(ctx, dir, warm, n, "identical copies, warm cache")
		if err != nil {
			return err
		}
		h.res.Plugins = append(h.res.Plugins, row)
	}
	for _, n := range h.opts.distinctCounts {
		dir, err := h.copies(add, n, true)
		if err != nil {
			return err
		}
		cache, err := h.ws.dir("cache-plugins-distinct")
		if err != nil {
			return err
		}
		for _, kind := range []string{"distinct copies, cold cache", "distinct copies, warm cache"} {
			row, err := h.pluginsOnce(ctx, dir, cache, n, kind)
			if err != nil {
				return err
			}
			h.res.Plugins = append(h.res.Plugins, row)
		}
	}
	perPlugin(h.res.Plugins)
	return nil
}

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

// pluginsOnce starts rpchost on dir, calls every plugin once, and reads
// its memory before and after.
func (h *harness) pluginsOnce(ctx context.Context, dir, cache string, n int, kind string) (pluginsRow, error) {
	s, err := h.servers.start(ctx, h.ws.rpchostSpec("rpchost", dir, cache), h.opts.readyTimeout)
	if err != nil {
		return pluginsRow{}, err
	}
	defer h.stop(s)
	st, err := h.readStarted(s)
	if err != nil {
		return pluginsRow{}, err
	}
	if st.plugins != n {
		h.note("%d plugins (%s): the server loaded %d", n, kind, st.plugins)
	}
	row := pluginsRow{Plugins: n, Kind: kind, Ready: st.ready, RSSReady: st.rss}
	client := &http.Client{Timeout: h.opts.timeout}
	defer client.CloseIdleConnections()
	for i := range n {
		if err := call(ctx, client, s.addr, fmt.Sprintf("p%03d.add", i), 7); err != nil {
			row.CallErrors++
			h.note("%d plugins: %v", n, err)
		}
	}
	sleepCtx(ctx, time.Second) // let the calls' garbage be collected
	mem, err := readMemory(s.pid())
	if err != nil {
		return pluginsRow{}, err
	}
	row.RSSCalled, row.Peak = mem.RSS, mem.Peak
	h.logf("  %3d plugins, %-28s ready in %-8v RSS %s, after calls %s", n, kind, st.ready.Round(time.Millisecond), mib(st.rss), mib(mem.RSS))
	return row, nil
}

// perPlugin fills PerPlugin: the memory each plugin beyond the first adds,
// against the 1-plugin row of the same kind.
func perPlugin(rows []pluginsRow) {
	base := map[string]pluginsRow{}
	for _, r := range rows {
		if b, ok := base[r.Kind]; !ok || r.Plugins < b.Plugins {
			base[r.Kind] = r
		}
	}
	for i, r := range rows {
		b := base[r.Kind]
		if r.Plugins > b.Plugins {
			rows[i].PerPlugin = (r.RSSCalled - b.RSSCalled) / int64(r.Plugins-b.Plugins)
		}
	}
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
