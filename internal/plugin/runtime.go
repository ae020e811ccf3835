package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
)

// RuntimeOptions configure the one wazero runtime every plugin shares.
type RuntimeOptions struct {
	// MemoryLimitPages caps each instance's linear memory (64 KiB pages).
	MemoryLimitPages uint32
	// CacheDir keeps compiled machine code across restarts; "" disables it.
	CacheDir string
	// MaxIdleBytes bounds what idle instances hold across every plugin
	// (linear memory plus wazero's state): past it, the instances given
	// back longest ago are destroyed. 0 means no bound.
	MaxIdleBytes int64
	Logger       *slog.Logger
}

// Runtime compiles and instantiates plugins. wazero sets the memory limit
// per runtime, so there is one wazero runtime per distinct limit (usually
// just the default), all sharing one compilation cache.
type Runtime struct {
	opts   RuntimeOptions
	cache  wazero.CompilationCache
	logger *slog.Logger

	mu       sync.Mutex
	runtimes map[uint32]wazero.Runtime // by memory limit in pages
	closed   bool

	live     atomic.Int64 // instances alive across every plugin
	made     atomic.Int64 // instances ever made, those that read a manifest included
	watchdog *watchdog
	shared   sharedModules
	idle     *idleBudget

	closeOnce sync.Once
	closeErr  error
}

func (r *Runtime) watch(in *instance)   { r.watchdog.add(in) }
func (r *Runtime) unwatch(in *instance) { r.watchdog.remove(in) }

// LiveInstances reports the instances alive in every plugin, old versions
// still finishing a call included: a number that must fall back after a reload.
func (r *Runtime) LiveInstances() int { return int(r.live.Load()) }

// InstancesMade reports how many instances were ever made, at load and
// for calls: what a start-up or a burst cost in instantiations.
func (r *Runtime) InstancesMade() int64 { return r.made.Load() }

// NewRuntime starts a runtime with WASI (no files, no environment, no
// network) available to guests.
func NewRuntime(ctx context.Context, opts RuntimeOptions) (*Runtime, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runtime{opts: opts, logger: opts.Logger, runtimes: map[uint32]wazero.Runtime{}, watchdog: newWatchdog(),
		idle: newIdleBudget(opts.MaxIdleBytes)}
	if opts.CacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(opts.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("compilation cache %s: %w", opts.CacheDir, err)
		}
		r.cache = c
	}
	if _, _, err := r.runtimeFor(ctx, 0); err != nil {
		return nil, errors.Join(err, r.Close(ctx))
	}
	return r, nil
}

// runtimeFor returns the wazero runtime for a memory limit in pages (0: the
// default), creating it on first use, and the limit it enforces.
func (r *Runtime) runtimeFor(ctx context.Context, pages uint32) (wazero.Runtime, uint32, error) {
	if pages == 0 {
		pages = r.opts.MemoryLimitPages
	}
	if pages == 0 {
		pages = 65536 // wasm32's 4 GiB
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, 0, ErrClosed
	}
	if rt, ok := r.runtimes[pages]; ok {
		return rt, pages, nil
	}
	// No WithCloseOnContextDone: every module is instrumented with its own
	// interrupt flag (package interrupt), which the watchdog sets, so a
	// call past its deadline stops even inside a tight loop without wazero
	// leaving machine code at every iteration or starting a goroutine per call.
	cfg := wazero.NewRuntimeConfigCompiler().
		WithMemoryLimitPages(pages)
	if r.cache != nil {
		cfg = cfg.WithCompilationCache(r.cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if err := instantiateWASI(ctx, rt); err != nil {
		return nil, 0, errors.Join(fmt.Errorf("instantiate WASI: %w", err), rt.Close(ctx))
	}
	if err := instantiateCapabilities(ctx, rt); err != nil {
		return nil, 0, errors.Join(fmt.Errorf("instantiate the host capabilities: %w", err), rt.Close(ctx))
	}
	r.runtimes[pages] = rt
	return rt, pages, nil
}

// Close releases the runtime and everything compiled or instantiated in it.
// It is safe to call more than once.
func (r *Runtime) Close(ctx context.Context) error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.closed = true
		var errs []error
		for _, rt := range r.runtimes {
			errs = append(errs, rt.Close(ctx))
		}
		r.closeErr = errors.Join(append(errs, closeCache(ctx, r.cache))...)
		r.watchdog.close()
	})
	return r.closeErr
}

func closeCache(ctx context.Context, c wazero.CompilationCache) error {
	if c == nil {
		return nil
	}
	return c.Close(ctx)
}
