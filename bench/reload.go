package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rpchost/rpchost/bench/load"
)

// runReload measures hot reload: a running rpchost serves plugin x, built
// from plugins/add.wasm; plugins/types.wasm (another Go module, 2.6 MB) is
// written over x.wasm, and x.echo(7) is polled every few milliseconds
// until the new version answers it. With the cache, the new version was
// compiled before (the cache is warm, as after a previous deploy or
// start); without it (cache off), it is compiled on the spot.
func (h *harness) runReload(ctx context.Context) error {
	h.logf("hot reload: plugins/types.wasm over x.wasm (was plugins/add.wasm), %d runs per case", h.opts.reps)
	newVersion, err := os.ReadFile(h.ws.shipped("types"))
	if err != nil {
		return err
	}
	warm, err := h.ws.dir("cache-reload-warm")
	if err != nil {
		return err
	}
	primeDir, err := h.ws.pluginDir("reload-prime", map[string]string{"add": h.ws.shipped("add"), "types": h.ws.shipped("types")})
	if err != nil {
		return err
	}
	if _, err := h.startOnce(ctx, "rpchost (warming the cache)", primeDir, warm); err != nil {
		return err
	}
	size := int64(len(newVersion))
	cases := []*reloadRow{{Case: "warm cache (the new version compiled before)", Bytes: size}, {Case: "cache off (compiled on the spot)", Bytes: size}}
	for range h.opts.reps {
		for i, cache := range []string{warm, "off"} {
			serve, loaded, err := h.reloadOnce(ctx, newVersion, cache)
			if err != nil {
				return err
			}
			cases[i].Serve = append(cases[i].Serve, serve)
			cases[i].Loaded = append(cases[i].Loaded, loaded)
		}
	}
	for _, c := range cases {
		h.logf("  %-45s median %v", c.Case, median(c.Serve))
		h.res.Reload = append(h.res.Reload, *c)
	}
	return nil
}

// reloadOnce starts a server serving x = add, replaces x by newVersion and
// returns how long until x.echo answered and the load time the server
// logged for it.
func (h *harness) reloadOnce(ctx context.Context, newVersion []byte, cache string) (serve, loaded time.Duration, err error) {
	dir, err := h.ws.pluginDir("reload", map[string]string{"x": h.ws.shipped("add")})
	if err != nil {
		return 0, 0, err
	}
	s, err := h.servers.start(ctx, h.ws.rpchostSpec("rpchost", dir, cache), h.opts.readyTimeout)
	if err != nil {
		return 0, 0, err
	}
	defer h.stop(s)
	client := &http.Client{Timeout: h.opts.timeout}
	defer client.CloseIdleConnections()
	if err := call(ctx, client, s.addr, "x.add", 7); err != nil {
		return 0, 0, fmt.Errorf("before the reload: %w", err)
	}
	echo := load.PythonCall("x.echo", int64(7))
	begin := time.Now()
	// Written in place, as cp does: the watcher sees the writes and waits
	// for the directory to be quiet (watch.debounce, 100 ms).
	if err := os.WriteFile(filepath.Join(dir, "x.wasm"), newVersion, 0o644); err != nil {
		return 0, 0, err
	}
	deadline := begin.Add(h.opts.reloadTimeout)
	for {
		if callBody(ctx, client, s.addr, echo, 7) == nil {
			serve = time.Since(begin)
			break
		}
		if time.Now().After(deadline) {
			return 0, 0, fmt.Errorf("x.echo did not answer within %v of the new version being written; the server logged:\n%s", h.opts.reloadTimeout, s.log.tail(10))
		}
		if ctx.Err() != nil {
			return 0, 0, ctx.Err()
		}
		sleepCtx(ctx, 2*time.Millisecond)
	}
	// The server logs the reload just after publishing the new version.
	for range 100 {
		if line, ok := s.log.find(begin, "plugin reloaded", "plugin=x"); ok {
			loaded, _ = time.ParseDuration(logField(line.text, "duration"))
			break
		}
		sleepCtx(ctx, 10*time.Millisecond)
	}
	return serve, loaded, nil
}
