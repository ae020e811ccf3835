package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/rpchost/rpchost/host"
)

func newServeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the plugin directory over XML-RPC and JSON-RPC (the default)",
		Long: `Serve the plugin directory over XML-RPC and JSON-RPC.

The configuration is ./config.yaml when present (--config or RPCHOST_CONFIG
names another), then RPCHOST_<KEY> variables (limits.call_timeout is
RPCHOST_LIMITS_CALL_TIMEOUT; plugin.<name>.<key> is RPCHOST_PLUGIN_<NAME>_<KEY>,
split at the known key at its end), then --listen and --plugins. An unknown
key or variable, or a value out of range, stops the start with the place and
the reason. The address is bound before any plugin is loaded, so an address
in use is reported at once. README's Configuration section lists the keys.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			return serve(cmd.Context(), s)
		},
	}
	cmd.Flags().String("listen", "", "address to listen on (default 127.0.0.1:8088; env RPCHOST_LISTEN)")
	cmd.Flags().String("plugins", "", "plugin directory (default plugins; env RPCHOST_PLUGINS)")
	return cmd
}

func serve(ctx context.Context, s *settings) error {
	logger, err := s.logger()
	if err != nil {
		return err
	}
	start := time.Now()
	cfg, err := s.hostConfig(logger)
	if err != nil {
		return err
	}
	tlsCfg, err := s.tlsConfig(logger) // nil: plain HTTP (tls.go)
	if err != nil {
		return err
	}
	// Bind before loading: a port in use is reported at once, not after
	// every plugin has compiled. Connections made meanwhile wait in the
	// listen backlog until the host is ready.
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return listenError(s.listen, err)
	}
	file := s.file
	if file == "" {
		file = "none"
	}
	logger.Info("starting", "config", file, "plugins", cfg.PluginDir(), "store", s.storeLocation(),
		"cache", orOff(s.resolvedCacheDir()), "uploads", s.uploadsEnabled(), "callers", len(s.cfg.Callers()), "tls", tlsCfg != nil,
		"trusted_keys", len(s.cfg.TrustedKeys()), "pinned_modules", len(s.cfg.AllowedSHA256()))
	stopPprof, err := startPprof(s.debug.pprofListen, s.debug.pprofRemote, logger)
	if err != nil {
		return errors.Join(err, ln.Close())
	}
	h, err := host.New(ctx, cfg)
	if err != nil {
		return errors.Join(err, ln.Close(), stopPprof())
	}
	stopMetrics, err := startSideServer(sideServer{
		key: "metrics.listen", remoteKey: "metrics.remote", what: "the metrics name every plugin and method served",
		addr: s.metrics.listen, remote: s.metrics.remote, handler: h.MonitoringHandler(), logged: "metrics", path: "/metrics",
	}, logger)
	if err != nil {
		return errors.Join(err, ln.Close(), stopPprof(), h.Close(context.Background()))
	}
	stopSide := func() error { return errors.Join(stopMetrics(), stopPprof()) }
	reqs := newRequestTracker()
	srv := &http.Server{
		Handler:           reqs.wrap(h.Handler()),
		ReadHeaderTimeout: s.http.readHeader,
		ReadTimeout:       s.http.read,
		WriteTimeout:      s.http.write,
		IdleTimeout:       s.http.idle,
		// Go's default is 1 MiB, which a thousand connections sending
		// unfinished headers turn into gigabytes (README, Security model).
		MaxHeaderBytes: s.http.maxHeaderBytes,
		ErrorLog:       serverErrorLog(logger),
	}
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	logger.Info("listening", "addr", ln.Addr().String(), "url", scheme+"://"+ln.Addr().String()+"/",
		"plugins", len(h.Plugins()), "startup", time.Since(start).Round(time.Millisecond))
	errc := make(chan error, 1)
	// Every open connection holds a goroutine and its buffers whatever it
	// sends: past http.max_connections, a new one takes the slot of the
	// connection idle longest, or waits in the kernel's backlog until one
	// turns idle or closes (README, Security model).
	limited := newConnLimiter(ln, s.http.maxConnections)
	srv.ConnState = limited.connState
	var served net.Listener = limited
	if tlsCfg != nil {
		served = tls.NewListener(limited, tlsCfg) // the handshake has the shortest of the http.*_timeout bounds
	}
	go func() { errc <- srv.Serve(served) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		// /readyz turns 503 first and the listener stays open for
		// http.drain_grace, so that a load balancer stops sending before
		// connections are refused; then the calls in flight finish.
		again, stopSignals := signals()
		defer stopSignals()
		h.Drain()
		drain(s.http.drainGrace, again, reqs, logger)
		err = shutdown(srv, reqs, shutdownGrace(cfg, h.Plugins()), again, logger)
		<-errc
		if errors.Is(err, errInterrupted) {
			return err // exit at once, without waiting for the host to close
		}
		// Closing waits for uploads and loads under way; a further signal
		// does not wait for them.
		closed := make(chan error, 1)
		go func() { closed <- h.Close(context.Background()) }()
		select {
		case cerr := <-closed:
			return errors.Join(err, cerr, stopSide())
		case sig := <-again:
			return fmt.Errorf("a second %v while closing the plugins and the store: exited without waiting for them", sig)
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, h.Close(context.Background()), stopSide())
}

// listenError says what to do about an address that cannot be bound.
func listenError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("listen %s: the address is already in use (another rpchost, or another server, holds it); stop it or choose another address with listen, --listen or RPCHOST_LISTEN", addr)
	}
	return fmt.Errorf("listen %s (listen, --listen or RPCHOST_LISTEN): %w", addr, err)
}

func orOff(dir string) string {
	if dir == "" {
		return "off"
	}
	return dir
}
