package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves Go's profiles (net/http/pprof) on their own address,
// apart from the procedures' port, so that an operator can see where a
// live server spends its time and memory. It is off unless
// debug.pprof_listen is set, and refuses an address other than loopback
// unless debug.pprof_remote says so: profiles show the process's insides
// (its command line, its stacks) to whoever can reach them.
//
// The server it starts is owned by the returned stop function.
func startPprof(addr string, remote bool, logger *slog.Logger) (stop func() error, err error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return startSideServer(sideServer{
		key: "debug.pprof_listen", remoteKey: "debug.pprof_remote", what: "profiles show the server's insides",
		addr: addr, remote: remote, handler: mux, logged: "profiling", path: "/debug/pprof/",
	}, logger)
}

// sideServer is an HTTP server of its own beside the procedures' port:
// Go's profiles (debug.pprof_listen), the metrics (metrics.listen).
type sideServer struct {
	key, remoteKey string // the configuration keys of its address and of the loopback override
	what           string // why its address must be loopback unless remoteKey says so
	addr           string // "" = off
	remote         bool
	handler        http.Handler
	logged, path   string // the log line's message, and the path its URL shows
}

// startSideServer serves s.handler on s.addr, refusing an address other
// than loopback unless s.remote; the server is owned by the returned stop
// function, which waits a second for requests in flight.
func startSideServer(s sideServer, logger *slog.Logger) (stop func() error, err error) {
	if s.addr == "" {
		return func() error { return nil }, nil
	}
	host, _, err := net.SplitHostPort(s.addr)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", s.key, s.addr, err)
	}
	if ip := net.ParseIP(host); !s.remote && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%s %q is not a loopback address; %s: "+
			"use 127.0.0.1:PORT, or set %s: true to serve them on %s anyway", s.key, s.addr, s.what, s.remoteKey, host)
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", s.key, s.addr, err)
	}
	// No WriteTimeout: a CPU profile or a trace streams for as long as asked.
	// Small headers: these requests carry none of their own, and a
	// listener opened to the network must not give each connection Go's
	// default megabyte.
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	logger.Info(s.logged, "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+s.path)
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = srv.Close() // a profile still streaming
		}
		if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
		return err
	}, nil
}
