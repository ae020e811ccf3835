// Package host is rpchost's engine: it loads every .wasm module of a plugin
// directory into one wazero runtime, serves their procedures through a
// registry with introspection and multicall, and answers XML-RPC over HTTP.
package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/plugin"
	"github.com/rpchost/rpchost/internal/registry"
	"github.com/rpchost/rpchost/internal/store"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// reservedNames cannot be plugin names: their namespaces belong to the host.
var reservedNames = []string{"system", "plugins"}

// Host serves the procedures of one plugin directory.
type Host struct {
	cfg      Config
	logger   *slog.Logger
	runtime  *plugin.Runtime
	registry *registry.Registry
	limits   xmlrpc.Limits
	inflight *bodyBudget // bytes held by request bodies (limits.max_inflight_bytes)
	store    store.Store // nil without a store

	reloadMu sync.Mutex           // serializes reconcile, upload and remove
	rejected map[string]rejection // plugin → the file version last refused; guarded by reloadMu
	mu       sync.Mutex           // guards plugins and versions
	plugins  map[string]*loaded
	versions map[string]int // plugin → versions loaded so far, kept across removals

	stopWatch context.CancelFunc // nil when not watching
	watchDone chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// New validates cfg, starts the runtime and loads every plugin it finds. A
// module that fails to load is logged and skipped; New fails only when the
// configuration is invalid or the directory cannot be read.
func New(ctx context.Context, cfg Config) (*Host, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("invalid configuration: %w", err)
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	rt, err := plugin.NewRuntime(ctx, plugin.RuntimeOptions{
		MemoryLimitPages: uint32(cfg.limits.MemoryBytes >> 16),
		CacheDir:         cfg.cacheDir,
		Logger:           logger,
	})
	if err != nil {
		return nil, err
	}
	h := &Host{
		cfg:      cfg,
		logger:   logger,
		runtime:  rt,
		registry: registry.New(cfg.aliases, reservedNames...),
		limits:   xmlrpc.Limits{MaxDepth: cfg.maxDepth, MaxItems: cfg.maxItems},
		inflight: newBodyBudget(cfg.maxInflight),
		rejected: map[string]rejection{},
		plugins:  map[string]*loaded{},
		versions: map[string]int{},
	}
	if cfg.store.Driver != "" {
		if h.store, err = store.Open(ctx, cfg.store.Driver, cfg.store.Target, cfg.store.Limits); err != nil {
			return nil, errors.Join(fmt.Errorf("store: %w", err), h.Close(ctx))
		}
	}
	if err := errors.Join(h.registerSystem(), h.registerAdmin()); err != nil {
		return nil, errors.Join(err, h.Close(ctx))
	}
	if err := h.reconcile(ctx); err != nil {
		return nil, errors.Join(err, h.Close(ctx))
	}
	if len(h.loadedNames()) == 0 {
		h.logger.Warn("no plugins loaded", "dir", cfg.pluginDir)
	}
	if cfg.watch {
		// The watcher outlives New's ctx: it belongs to the Host and stops in Close.
		wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		h.stopWatch, h.watchDone = cancel, make(chan struct{})
		go h.watch(wctx)
	}
	return h, nil
}

// Call runs one procedure by name, as a request would.
func (h *Host) Call(ctx context.Context, method string, params []any) (any, error) {
	if err := abi.CheckMethodName(method); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidMethodName, err)
	}
	e, ok := h.registry.Lookup(method)
	for {
		if !ok {
			return nil, fmt.Errorf("no method %q; system.listMethods lists the methods served: %w", method, ErrMethodNotFound)
		}
		v, err := e.Method.Call(ctx, params)
		if !errors.Is(err, plugin.ErrClosed) {
			return v, err
		}
		// The version this call waited for was replaced (the registry
		// publishes a new version before the old one closes): run on the
		// new version instead of failing. Retry only when the registry has
		// moved on, so a call never spins.
		var next *registry.Entry
		next, ok = h.registry.Lookup(method)
		if ok && next.Method == e.Method {
			return v, err
		}
		e = next
	}
}

// PluginInfo describes a loaded plugin.
type PluginInfo struct {
	Name      string
	Kind      string // "sdk" or "numeric"
	Methods   []string
	Instances int // alive now, idle or busy
	Size      int
	SHA256    string
	Version   int // 1 for the first load of this name, +1 on each reload
	LoadedAt  time.Time
}

// Plugins lists the loaded plugins, sorted by name.
func (h *Host) Plugins() []PluginInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]PluginInfo, 0, len(h.plugins))
	for _, l := range h.plugins {
		p := l.plugin
		out = append(out, PluginInfo{Name: p.Name(), Kind: p.Kind().String(), Methods: p.MethodNames(), Instances: p.Instances(),
			Size: l.size, SHA256: l.sha256, Version: l.version, LoadedAt: l.loadedAt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Close unloads every plugin and stops the runtime, reporting every error.
// It is safe to call more than once.
func (h *Host) Close(ctx context.Context) error {
	h.closeOnce.Do(func() {
		if h.stopWatch != nil {
			h.stopWatch()
			<-h.watchDone
		}
		h.reloadMu.Lock() // no reload may start on a closing host
		defer h.reloadMu.Unlock()
		h.mu.Lock()
		var errs []error
		for name, l := range h.plugins {
			h.registry.RemovePlugin(name)
			errs = append(errs, l.plugin.Close(ctx))
		}
		h.plugins = map[string]*loaded{}
		h.mu.Unlock()
		errs = append(errs, h.runtime.Close(ctx))
		if h.store != nil {
			errs = append(errs, h.store.Close())
		}
		h.closeErr = errors.Join(errs...)
	})
	return h.closeErr
}
