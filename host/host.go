// Package host is rpchost's engine: it loads every .wasm module of a plugin
// directory into one wazero runtime, serves their procedures through a
// registry with introspection and multicall, and answers XML-RPC over HTTP.
package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
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
	auth     *authorizer // auth.* and the admin token (auth.go)
	trust    *trustGate  // deploy.allowed_sha256 and deploy.trusted_keys (trust.go)
	deploy   *deployer   // the version log, and the link to the deploy database (deploy.go)

	// installMu serializes changes to what is served: installing a loaded
	// version, writing an upload, removing. It is never held while a
	// module compiles or runs, so one slow module delays no other (loader.go).
	installMu sync.Mutex
	rejected  map[string]rejection // plugin → the file version last refused; guarded by installMu
	loading   map[string]bool      // plugins being loaded from the directory → rescan when done; guarded by installMu
	loads     sync.WaitGroup       // loads running in the background, waited for by Close
	// rescanRequests wakes the watcher when a load ended on a file that
	// changed meanwhile.
	rescanRequests chan struct{}
	// compileSlots bounds the modules compiling at once, so that a hundred
	// plugins loading together do not hold a hundred compilations in memory.
	compileSlots chan struct{}
	// digests knows the SHA-256 of module files from their stat (digests.go).
	digests  digests
	mu       sync.Mutex // guards plugins and versions
	plugins  map[string]*loaded
	versions map[string]int // plugin → versions loaded so far, kept across removals

	pageSlots chan struct{} // pages being built (page.go)

	refusedMu sync.Mutex         // guards refused, apart from installMu so listing never waits for an install
	refused   map[string]refusal // plugin → why its file was refused

	stopWatch context.CancelFunc // nil when not watching
	watchDone chan struct{}

	metrics        *hostMetrics // the Host's own Prometheus registry (metrics.go)
	metricsHandler http.Handler // serves it
	draining       atomic.Bool  // set by Drain: /readyz answers 503
	ready          readiness    // the last store check of /readyz
	started        time.Time    // New's time, the origin of clock

	closed    atomic.Bool  // set first thing in Close; checked by Call, Upload and Remove
	compiling sync.RWMutex // read-held by uploads while they compile; Close write-locks it to wait for them
	closeOnce sync.Once
	closeErr  error
}

// checkPluginDir fails unless dir is a directory this process can read,
// with the message scanDir would give.
func checkPluginDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("plugin directory: %w", err)
	}
	defer f.Close()
	if _, err := f.ReadDir(1); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("plugin directory: %w", err)
	}
	return nil
}

// New validates cfg, starts the runtime and loads every plugin it finds. A
// module that fails to load is logged and skipped; New fails only when the
// configuration is invalid or the directory cannot be read.
func New(ctx context.Context, cfg Config) (*Host, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("invalid configuration: %w", err)
	}
	// Before anything is created: a start that fails for want of its
	// plugin directory must leave no store (data/rpchost.db) behind.
	if err := checkPluginDir(cfg.pluginDir); err != nil {
		return nil, err
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	rt, err := plugin.NewRuntime(ctx, plugin.RuntimeOptions{
		MemoryLimitPages: uint32(cfg.limits.MemoryBytes >> 16),
		CacheDir:         cfg.cacheDir,
		MaxIdleBytes:     cfg.maxIdleBytes,
		Logger:           logger,
	})
	if err != nil {
		return nil, err
	}
	h := &Host{
		cfg:            cfg,
		logger:         logger,
		runtime:        rt,
		registry:       registry.New(cfg.aliases, reservedNames...),
		limits:         xmlrpc.Limits{MaxDepth: cfg.maxDepth, MaxItems: cfg.maxItems},
		inflight:       newBodyBudget(cfg.maxInflight),
		rejected:       map[string]rejection{},
		refused:        map[string]refusal{},
		loading:        map[string]bool{},
		rescanRequests: make(chan struct{}, 1),
		compileSlots:   make(chan struct{}, runtime.GOMAXPROCS(0)),
		plugins:        map[string]*loaded{},
		versions:       map[string]int{},
		pageSlots:      make(chan struct{}, pageBuilders),
		auth:           newAuthorizer(cfg, logger),
		digests:        newDigests(cfg.cacheDir),
	}
	h.started = time.Now()
	h.metrics = newMetrics(h)
	h.metricsHandler = h.metrics.handler()
	h.trust = newTrustGate(cfg.trust, h.metrics.reg)
	if err := h.newDeployer(); err != nil {
		return nil, errors.Join(err, h.Close(ctx))
	}
	if cfg.store.Driver != "" {
		s, err := store.Open(ctx, cfg.store.Driver, cfg.store.Target, cfg.store.Limits)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("store: %w", err), h.Close(ctx))
		}
		h.store = countingStore{Store: s, m: h.metrics} // commits counted where they happen
	}
	if err := errors.Join(h.registerSystem(), h.registerAdmin(), h.registerDeploy(), h.rememberBareNames()); err != nil {
		return nil, errors.Join(err, h.Close(ctx))
	}
	loads, err := h.reconcile(ctx)
	if err != nil {
		return nil, errors.Join(err, h.Close(ctx))
	}
	loads.Wait()
	if ctx.Err() != nil {
		// Compiles cut short by an interrupt are not plugins that went
		// away: recording owners now would hand their bare names to others
		// for good, and aliases to them would look broken. The registry
		// stays in its start-up phase.
		h.logger.Warn("start-up interrupted; bare-name owners are not recorded", "error", ctx.Err().Error())
	} else {
		// Aliases are checked before Settle so that a refused start
		// records no owners.
		if err := h.checkAliases(); err != nil {
			return nil, errors.Join(err, h.Close(ctx))
		}
		h.registry.Settle()
	}
	// The directory served first, as this replica's cache of the deploy
	// database; then what the database says, when it answers.
	h.startDeploy(ctx)
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

// Call runs one procedure by name, as a request would. Its errors are
// classified by FaultOf and errors.Is against the Err variables of this
// package; on a closed host it returns ErrClosed. A call a front end made
// is first checked against auth.* (ErrUnauthenticated, ErrNotPermitted,
// ErrRateLimited); a Go program's own calls are trusted.
func (h *Host) Call(ctx context.Context, method string, params []any) (v any, err error) {
	// Every call is counted, timed and (log.access) logged here, once,
	// whatever front end it came through and however it ends, refusals
	// included.
	var e *registry.Entry
	defer func(start time.Duration) { h.observe(ctx, method, e, start, err) }(h.clock())
	if h.closed.Load() {
		return nil, ErrClosed
	}
	ctx, err = h.admitCall(ctx, method) // callers and rates, before any wasm runs (auth.go)
	if err != nil {
		return nil, err
	}
	if err := abi.CheckMethodName(method); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidMethodName, err)
	}
	e, ok := h.registry.Lookup(method)
	for {
		if !ok {
			return nil, h.methodNotFound(method)
		}
		p, err := paramsFor(e.Method, params)
		if err != nil {
			return nil, err
		}
		v, err := callMethod(ctx, e.Method, p) // an abi.Encoded only for the XML-RPC front end (result.go)
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
	// Conflicts are the bare names the plugin defines that another
	// procedure answers (see BareNamesRule).
	Conflicts []Conflict
}

// Plugins lists the loaded plugins, sorted by name.
func (h *Host) Plugins() []PluginInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]PluginInfo, 0, len(h.plugins))
	for _, l := range h.plugins {
		p := l.plugin
		out = append(out, PluginInfo{Name: p.Name(), Kind: p.Kind().String(), Methods: p.MethodNames(), Instances: p.Instances(),
			Size: l.size, SHA256: l.sha256, Version: l.version, LoadedAt: l.loadedAt, Conflicts: h.conflicts(p.Name(), p.MethodNames())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Close unloads every plugin and stops the runtime, reporting every error.
// It is safe to call more than once, and concurrently with anything: once
// it has begun, Call, Upload and Remove return ErrClosed.
func (h *Host) Close(ctx context.Context) error {
	h.closeOnce.Do(func() {
		h.closed.Store(true)
		// wazero panics if a module compiles while its runtime closes:
		// wait for uploads compiling outside installMu (Lock is the
		// barrier; later uploads see closed).
		h.compiling.Lock()
		h.compiling.Unlock()
		if h.stopWatch != nil {
			h.stopWatch()
			<-h.watchDone
		}
		deployErr := h.stopDeploy()
		// A barrier: an install under way finishes, and every later one
		// sees closed (set above) under installMu and gives up.
		h.installMu.Lock()
		h.installMu.Unlock()
		h.loads.Wait() // each is bounded by load_timeout and the structural limits
		h.mu.Lock()
		errs := []error{deployErr}
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
