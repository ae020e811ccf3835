// Package plugin turns a .wasm file into callable procedures: it compiles the
// module once, keeps a bounded pool of instances, and speaks ABI v1 to SDK
// modules or maps plain numeric exports for modules without an SDK.
package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/registry"
)

// Kind says how the host talks to a module.
type Kind int

const (
	// KindSDK modules export rpchost_abi_version and speak ABI v1.
	KindSDK Kind = iota + 1
	// KindNumeric modules export plain functions of i32/i64/f32/f64.
	KindNumeric
)

func (k Kind) String() string {
	switch k {
	case KindSDK:
		return "sdk"
	case KindNumeric:
		return "numeric"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Options configure one loaded plugin.
type Options struct {
	// PoolSize bounds the instances alive at once, and so the calls that run
	// concurrently in this plugin.
	PoolSize int
	// CallTimeout bounds one call, waiting for an instance included; 0 means none.
	CallTimeout time.Duration
	Logger      *slog.Logger
}

// Plugin is a compiled module with its instance pool and methods.
type Plugin struct {
	name     string
	kind     Kind
	compiled wazero.CompiledModule
	rt       *Runtime
	pool     *pool[*instance]
	methods  map[string]registry.Method
	timeout  time.Duration
	logger   *slog.Logger

	closing   atomic.Bool // set before the compiled module is closed
	closeOnce sync.Once
	closeErr  error
}

// Load compiles wasm, instantiates it once to prove it runs, and reads its
// methods. The error says which step failed and why.
func (r *Runtime) Load(ctx context.Context, name string, wasm []byte, opts Options) (*Plugin, error) {
	if opts.PoolSize < 1 {
		return nil, fmt.Errorf("load %s: pool size %d is below 1", name, opts.PoolSize)
	}
	logger := opts.Logger
	if logger == nil {
		logger = r.logger
	}
	logger = logger.With("plugin", name)
	compiled, err := r.rt.CompileModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	p := &Plugin{name: name, compiled: compiled, rt: r, timeout: opts.CallTimeout, logger: logger}
	if err := p.inspect(); err != nil {
		return nil, errors.Join(err, compiled.Close(ctx))
	}
	p.pool = newPool(opts.PoolSize, p.instantiate, (*instance).close)
	if err := p.readMethods(ctx); err != nil {
		return nil, errors.Join(err, p.Close(ctx))
	}
	return p, nil
}

// inspect checks imports and exports before anything runs, so a module that
// cannot work is refused with a message naming what is wrong.
func (p *Plugin) inspect() error {
	for _, fn := range p.compiled.ImportedFunctions() {
		mod, field, _ := fn.Import()
		if mod != wasiModule {
			return fmt.Errorf("imports %s.%s, which rpchost does not provide (ABI v%d provides only %s)", mod, field, abi.Version, wasiModule)
		}
	}
	exports := p.compiled.ExportedFunctions()
	if _, ok := exports[abi.ExportVersion]; !ok {
		p.kind = KindNumeric
		return nil
	}
	p.kind = KindSDK
	return checkSDKExports(exports, p.compiled.ExportedMemories())
}

func (p *Plugin) readMethods(ctx context.Context) error {
	in, err := p.pool.acquire(ctx)
	if err != nil {
		return fmt.Errorf("instantiate: %w", err)
	}
	var methods map[string]registry.Method
	switch p.kind {
	case KindSDK:
		methods, err = p.describe(ctx, in)
	default:
		methods, err = p.numericMethods()
	}
	p.pool.release(in, err == nil)
	if err != nil {
		return err
	}
	p.methods = methods
	return nil
}

// Name is the plugin's name, the file name without ".wasm".
func (p *Plugin) Name() string { return p.name }

// Kind says whether the module speaks ABI v1 or is served as numeric.
func (p *Plugin) Kind() Kind { return p.kind }

// Methods maps each method name inside the plugin to its procedure.
func (p *Plugin) Methods() map[string]registry.Method { return p.methods }

// MethodNames lists the plugin's method names, sorted.
func (p *Plugin) MethodNames() []string {
	names := make([]string, 0, len(p.methods))
	for n := range p.methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Instances reports how many instances are alive.
func (p *Plugin) Instances() int { return p.pool.size() }

// Close destroys the instances (busy ones when their call ends) and the
// compiled code. It is safe to call more than once.
func (p *Plugin) Close(ctx context.Context) error {
	p.closeOnce.Do(func() {
		p.closing.Store(true)
		var poolErr error
		if p.pool != nil {
			poolErr = p.pool.close()
		}
		p.closeErr = errors.Join(poolErr, p.compiled.Close(ctx))
	})
	return p.closeErr
}

// invoke runs fn on a pooled instance under the call's time limit.
func (p *Plugin) invoke(ctx context.Context, method string, fn func(context.Context, *instance) (any, error)) (any, error) {
	if p.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	in, err := p.pool.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", p.name, method, err)
	}
	v, err := fn(ctx, in)
	var fault *abi.Fault
	healthy := err == nil || errors.As(err, &fault)
	p.pool.release(in, healthy)
	if err != nil && !healthy {
		err = p.callError(ctx, method, err)
	}
	return v, err
}
