package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// RuntimeOptions configure the one wazero runtime every plugin shares.
type RuntimeOptions struct {
	// MemoryLimitPages caps each instance's linear memory (64 KiB pages).
	MemoryLimitPages uint32
	// CacheDir keeps compiled machine code across restarts; "" disables it.
	CacheDir string
	Logger   *slog.Logger
}

// Runtime compiles and instantiates plugins. One runtime serves every
// plugin so that WASI is instantiated once and compiled code is shared.
type Runtime struct {
	rt     wazero.Runtime
	cache  wazero.CompilationCache
	logger *slog.Logger

	live atomic.Int64 // instances alive across every plugin

	closeOnce sync.Once
	closeErr  error
}

// LiveInstances reports the instances alive in every plugin, old versions
// still finishing a call included: a number that must fall back after a reload.
func (r *Runtime) LiveInstances() int { return int(r.live.Load()) }

// NewRuntime starts a runtime with WASI (no files, no environment, no
// network) available to guests.
func NewRuntime(ctx context.Context, opts RuntimeOptions) (*Runtime, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg := wazero.NewRuntimeConfigCompiler().
		// A call past its deadline must stop even inside a tight loop.
		WithCloseOnContextDone(true)
	if opts.MemoryLimitPages > 0 {
		cfg = cfg.WithMemoryLimitPages(opts.MemoryLimitPages)
	}
	var cache wazero.CompilationCache
	if opts.CacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(opts.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("compilation cache %s: %w", opts.CacheDir, err)
		}
		cache = c
		cfg = cfg.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return nil, errors.Join(fmt.Errorf("instantiate WASI: %w", err), rt.Close(ctx), closeCache(ctx, cache))
	}
	return &Runtime{rt: rt, cache: cache, logger: logger}, nil
}

// Close releases the runtime and everything compiled or instantiated in it.
// It is safe to call more than once.
func (r *Runtime) Close(ctx context.Context) error {
	r.closeOnce.Do(func() {
		r.closeErr = errors.Join(r.rt.Close(ctx), closeCache(ctx, r.cache))
	})
	return r.closeErr
}

func closeCache(ctx context.Context, c wazero.CompilationCache) error {
	if c == nil {
		return nil
	}
	return c.Close(ctx)
}
