// Package plugin turns a .wasm file into callable procedures: it compiles the
// module once, keeps a bounded pool of instances, and speaks ABI v1 to SDK
// modules or maps plain numeric exports for modules without an SDK.
package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	goruntime "runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/registry"
	"github.com/rpchost/rpchost/internal/store"
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
	// MemoryLimitPages caps each instance's linear memory (64 KiB pages);
	// 0 means the runtime's default.
	MemoryLimitPages uint32
	// IdleTimeout is how long an instance may wait for a call before it is
	// destroyed, giving its memory back; 0 keeps idle instances.
	IdleTimeout time.Duration
	// MaxQueue bounds the calls waiting for a free instance; one more is
	// refused at once with ErrBusy. 0 means no bound but the time limit.
	MaxQueue int
	// MaxResultBytes bounds an SDK result as encoded by the guest; 0 means none.
	MaxResultBytes int
	// MaxResultValues bounds the array elements and struct members of an
	// SDK result; 0 means none. Bytes alone do not bound what a result
	// costs the host: an empty array is 1 byte encoded, 43 in XML.
	MaxResultValues int
	// LoadTimeout bounds a module's set-up code: its start function and
	// _initialize on each new instance, and, when it is loaded, those
	// and rpchost_describe together. 0 means DefaultLoadTimeout.
	LoadTimeout time.Duration
	// MaxOutputBytes bounds what one call may write to stdout and stderr;
	// what fits is logged, and a call that writes more fails with
	// ErrOutputLimit. 0 means the default, 64 KiB.
	MaxOutputBytes int
	// Store, when set, backs the kv capabilities; each plugin sees only its
	// own namespace. StoreLimits bound keys, values and the namespace.
	Store       store.Store
	StoreLimits store.Limits
	// Config is what the config_get capability reads: plugin.<name>.config.
	Config abi.Struct
	// Digest identifies the module's bytes (the host passes their SHA-256):
	// plugins loaded with the same digest and memory limit share one
	// compiled module. Empty shares nothing.
	Digest string
	// Read, when set and Load is given no bytes (wasm nil), returns them; Size
	// is how many there are. It is called only if the module must be
	// instrumented: not when a copy with the same Digest is compiled
	// already, nor when its instrumented form is in the compilation cache.
	// The host, which knows a file's digest from its stat, thus reads
	// neither the copies of a module nor, on a warm start, the module.
	Read func() ([]byte, error)
	Size int
	// Compiled, when set, is called once the module is compiled (or failed
	// to), before any of its code runs: the caller can free what bounded
	// the compilation.
	Compiled func()
	// Grants lists the capabilities the plugin may import ("log", "kv",
	// "config", "time"); nil grants them all.
	Grants []string
	// MayRun, when set, is asked right before a call runs, with its
	// instance in hand; an error refuses the call with ErrBusy. The host
	// uses it to hold calls back while responses fill its memory budget.
	MayRun func() error
	// FreshInstancePerCall discards an instance after every call, so that
	// no call sees the memory or globals another call left behind: each
	// call runs on an instance that has only been initialized.
	FreshInstancePerCall bool
	Logger               *slog.Logger
}

const defaultMaxOutput = 64 << 10

// Plugin is a compiled module with its instance pool and methods.
type Plugin struct {
	name     string
	kind     Kind
	compiled wazero.CompiledModule
	release  func(context.Context) error // gives compiled back (see shared.go)
	rt       *Runtime
	wrt      wazero.Runtime // the runtime whose memory limit this plugin has
	limits   Options
	memLimit uint64 // bytes
	pool     *pool[*instance]
	methods  map[string]registry.Method

	shared    sharedKey // its compiled module among r.shared
	usesHost  bool      // imports capabilities of module "rpchost"
	usesStore bool      // imports the kv capabilities
	// abiVersion is what rpchost_abi_version returned when the module
	// was described (SDK modules); 0 before.
	abiVersion int32
	logger     *slog.Logger

	closing   atomic.Bool // set before the compiled module is closed
	closeOnce sync.Once
	closeErr  error
}

// Load compiles wasm, instantiates it once to prove it runs, and reads its
// methods. The error says which step failed and why, and lists every
// problem found before the module's code would run. The instance that
// read the methods is destroyed: a plugin holds no instance until it is
// called.
func (r *Runtime) Load(ctx context.Context, name string, wasm []byte, opts Options) (*Plugin, error) {
	return r.load(ctx, name, wasm, opts, opts.Store != nil, nil)
}

// load is Load, and Inspect when rep is not nil: then it records what it
// learns in rep and, where the loader would stop at problems that do not
// keep the module's code from running (a grant the settings deny), goes
// on to run it, so that a report lists every problem. haveStore says
// whether the kv capabilities are backed: Inspect opens no store.
func (r *Runtime) load(ctx context.Context, name string, wasm []byte, opts Options, haveStore bool, rep *Report) (*Plugin, error) {
	if opts.PoolSize < 1 {
		return nil, fmt.Errorf("load %s: pool size %d is below 1", name, opts.PoolSize)
	}
	logger := opts.Logger
	if logger == nil {
		logger = r.logger
	}
	logger = logger.With("plugin", name)
	if opts.MaxOutputBytes == 0 {
		opts.MaxOutputBytes = defaultMaxOutput
	}
	wrt, pages, err := r.runtimeFor(ctx, opts.MemoryLimitPages)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	compiled, release, err := r.shared.get(ctx, sharedKey{pages, opts.Digest}, func() (wazero.CompiledModule, error) {
		// Instrumenting first also keeps from wazero a module whose
		// declared sizes exceed its bytes, which wazero would try to allocate.
		stoppable, err := r.instrument(wasm, opts)
		if err != nil {
			return nil, err
		}
		// A Go guest takes about a second to compile on one thread;
		// spreading its functions over the cores brings a reload under a second.
		return compileGuarded(experimental.WithCompilationWorkers(ctx, goruntime.GOMAXPROCS(0)), wrt, stoppable)
	})
	if opts.Compiled != nil {
		opts.Compiled()
	}
	if rep != nil {
		rep.CompileTime = time.Since(start)
		rep.Memory.LimitPages = pages
	}
	if err != nil {
		return nil, err
	}
	p := &Plugin{name: name, compiled: compiled, release: release, rt: r, wrt: wrt, limits: opts, memLimit: uint64(pages) << 16,
		logger: logger, shared: sharedKey{pages, opts.Digest}}
	problems, runnable := p.check(haveStore)
	if rep != nil {
		rep.record(p)
		rep.Problems = append(rep.Problems, problems...)
		if !runnable {
			return nil, errors.Join(errors.Join(problems...), release(ctx))
		}
	} else if len(problems) > 0 {
		return nil, errors.Join(errors.Join(problems...), release(ctx))
	}
	p.pool = newPool(opts.PoolSize, opts.MaxQueue, opts.IdleTimeout, p.instantiateForCall, (*instance).close).
		withBudget(r.idle, (*instance).idleBytes)
	err = p.readMethods(ctx)
	if rep != nil {
		rep.ran(p, err)
	}
	if err != nil {
		return nil, errors.Join(err, p.Close(ctx))
	}
	return p, nil
}

// compileGuarded compiles a module, turning a panic inside wazero's
// validation into a failed load. Instrument refuses every module known to
// panic wazero v1.12 (a call to a function whose type index does not
// exist, found by FuzzInstrument); this guard is for the next such bug, so
// that it costs one upload instead of the server. Validation runs on the
// calling goroutine and changes no shared state before it returns, which
// is what makes recovering here sound.
func compileGuarded(ctx context.Context, wrt wazero.Runtime, module []byte) (compiled wazero.CompiledModule, err error) {
	defer func() {
		if p := recover(); p != nil {
			compiled, err = nil, fmt.Errorf("compile: wazero failed on this module (%v); please report it", p)
		}
	}()
	compiled, err = wrt.CompileModule(ctx, module)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	return compiled, nil
}

// check finds, before anything runs, every import and export that keeps
// the module from loading, each with a message naming what is wrong.
// runnable is false when the module's code could not run at all (an
// import nothing provides, ABI exports missing or mistyped); problems
// the settings alone cause (a grant, a store) leave it true.
func (p *Plugin) check(haveStore bool) (problems []error, runnable bool) {
	imports := p.compiled.ImportedFunctions()
	for _, fn := range imports {
		mod, field, _ := fn.Import()
		if mod != wasiModule && mod != abi.HostModule {
			problems = append(problems, fmt.Errorf("imports %s.%s, which rpchost does not provide (ABI v%d provides %s and %s)", mod, field, abi.Version, wasiModule, abi.HostModule))
		}
	}
	grants := p.limits.Grants
	if grants == nil {
		grants = abi.DefaultGrants()
	}
	var unknown, denied []error
	p.usesHost, p.usesStore, unknown, denied = checkCapabilities(imports, grants, haveStore)
	problems = append(problems, unknown...)
	p.kind = KindNumeric
	if _, ok := p.compiled.ExportedFunctions()[abi.ExportVersion]; ok {
		p.kind = KindSDK
		problems = append(problems, checkSDKExports(p.compiled.ExportedFunctions(), p.compiled.ExportedMemories())...)
	}
	runnable = len(problems) == 0
	return append(problems, denied...), runnable
}

// readMethods learns the plugin's methods: from the copy of the same
// module that was described with the same settings (describeKey), or
// is being described now, which it waits for; else from describeInstance.
// A copy gets the other's answer, failure included: a thousand copies of
// a module whose set-up loops must not loop a thousand times.
func (p *Plugin) readMethods(ctx context.Context) error {
	if p.shared.digest != "" {
		dkey := p.describeKey()
		d, owner := p.rt.shared.describing(p.shared, dkey, p.name)
		if d != nil && !owner {
			// A copy is being described, or was: wait for it (its load is
			// bounded by load_timeout) and take its answer.
			select {
			case <-d.done:
			case <-ctx.Done():
				return fmt.Errorf("waiting for a copy of this module to describe itself: %w", context.Cause(ctx))
			}
			if d.err != nil {
				return fmt.Errorf("as its copy %s: %w", d.by, d.err)
			}
			if p.kind == KindNumeric {
				methods, err := p.numericMethods() // from the exports: nothing runs
				p.methods = methods
				return err
			}
			p.methods = make(map[string]registry.Method, len(d.descs))
			for _, desc := range d.descs {
				p.methods[desc.Name] = &sdkMethod{plugin: p, desc: desc}
			}
			return nil
		}
		if owner {
			err := p.describeInstance(ctx)
			var descs []abi.MethodDesc
			if err == nil && p.kind == KindSDK {
				descs = make([]abi.MethodDesc, 0, len(p.methods))
				for _, m := range p.methods {
					descs = append(descs, m.(*sdkMethod).desc)
				}
			}
			p.rt.shared.finish(p.shared, dkey, d, descs, err)
			return err
		}
	}
	return p.describeInstance(ctx)
}

// describeInstance makes an instance, reads the methods (from
// rpchost_describe, or the exports of a numeric module) and destroys it. A
// module that spins in its start function, _initialize or rpchost_describe
// must not hang the loader: the three share one deadline, load_timeout.
//
// The instance is not kept for the first call: an instance of a Go guest
// holds megabytes, and most of a thousand plugins may never be called,
// while making one when a call comes costs a few milliseconds (README,
// "Start-up and idle plugins").
func (p *Plugin) describeInstance(ctx context.Context) error {
	deadline := time.Now().Add(p.loadTimeout())
	ctx, cancel := context.WithDeadline(context.WithValue(ctx, loadDeadlineKey{}, deadline.UnixNano()), deadline)
	defer cancel()
	in, err := p.instantiate(ctx)
	if err != nil {
		return fmt.Errorf("instantiate: %w", err)
	}
	var methods map[string]registry.Method
	switch p.kind {
	case KindSDK:
		in.armUntil(deadline.UnixNano())
		methods, err = p.describe(in.ctx, in)
		if !in.disarm() {
			err = p.setupError(in, "reading the manifest ("+abi.ExportDescribe+")", err)
		}
	default:
		methods, err = p.numericMethods()
	}
	if cerr := in.close(); err == nil && cerr != nil {
		err = fmt.Errorf("close the instance that read the manifest: %w", cerr)
	}
	if err != nil {
		return err
	}
	p.methods = methods
	return nil
}

// describeKey names everything besides a module's bytes and memory limit
// (its sharedKey) that could change what its set-up code and
// rpchost_describe do: what it may read (config_get, the store), what it
// may import, how much it may print and how long it may take. A copy of a
// module loaded with the same key is not run at load: the first copy
// proved that these bytes, given these, set up and describe themselves,
// and it is their manifest that the copy gets. A thousand copies of a Go
// plugin thus cost a thousand file reads and hashes at start, not a
// thousand instantiations (README, "Start-up and idle plugins").
func (p *Plugin) describeKey() string {
	return fmt.Sprintf("%t%q|%v|%t|%d|%v", p.limits.Grants == nil, p.limits.Grants, p.limits.Config, p.limits.Store != nil, p.limits.MaxOutputBytes, p.loadTimeout())
}

// instantiateForCall makes an instance for the pool, when a call needs
// one. Its set-up code runs under load_timeout, as at load; a module whose
// set-up passed at load and fails now (it read the clock or randomness,
// say) fails the call with a trap, whose fault says what failed.
func (p *Plugin) instantiateForCall(ctx context.Context) (*instance, error) {
	in, err := p.instantiate(ctx)
	if err == nil || errors.Is(err, ErrTimeout) || errors.Is(err, ErrClosed) {
		return in, err
	}
	return nil, fmt.Errorf("%w: a new instance failed: %w", ErrTrap, err)
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

// Instances reports how many instances are alive (busy or idle).
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
		p.closeErr = errors.Join(poolErr, p.release(ctx))
	})
	return p.closeErr
}

// invoke runs fn on a pooled instance under the call's time limit.
func (p *Plugin) invoke(ctx context.Context, method string, fn func(context.Context, *instance) (any, error)) (any, error) {
	timeout := p.limits.CallTimeout
	var deadline int64
	if timeout > 0 {
		deadline = time.Now().Add(timeout).UnixNano()
	}
	in, err := p.pool.acquire(ctx, timeout)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", p.name, method, err)
	}
	if p.limits.MayRun != nil {
		// Checked once the instance is ours, since a call may have waited
		// for it while the host filled up: it has not run, so refusing it
		// loses nothing.
		if err := p.limits.MayRun(); err != nil {
			p.pool.release(in, true)
			return nil, fmt.Errorf("%s.%s: %w: %v", p.name, method, ErrBusy, err)
		}
	}
	// The time limit covers the wait for an instance too: the deadline was
	// fixed before it, and the pool gives up waiting at the same time. The
	// call runs under the instance's context, not the request's: a client
	// that goes away does not stop a call that may be about to commit.
	in.armUntil(deadline)
	ctx = in.ctx
	for attempt := 1; ; attempt++ {
		v, healthy, conflict, err := p.runOnce(ctx, in, method, fn, attempt)
		// A call whose reads were overtaken by another call's commit runs
		// again on the same instance and sees the new values, so no
		// read-then-write is lost between concurrent calls. runOnce
		// stopped the clock; the retry runs under the same deadline.
		if conflict && healthy && attempt < maxConflictRetries {
			in.armUntil(deadline)
			if backoff(ctx, attempt) {
				// Said once per retry, so that the guest's log lines of the
				// discarded attempt are not read as those of another call.
				p.logger.LogAttrs(ctx, slog.LevelDebug, "call retried after a write conflict; the attempt's writes were discarded",
					slog.String("method", method), slog.Int("attempt", attempt+1))
				continue
			}
			if errors.Is(context.Cause(ctx), ErrTimeout) {
				v, err = nil, p.timeoutError(method)
			}
		}
		// An instance that trapped, overran its deadline, overflowed its
		// output or holds memory at the limit is thrown away, so its state
		// or memory goes with it; so is every instance of a plugin isolated
		// per call, so that the next caller cannot read what this one left.
		healthy = in.disarm() && healthy && !in.out.exceeded && !p.atMemoryLimit(in) && !p.limits.FreshInstancePerCall
		p.pool.release(in, healthy)
		return v, err
	}
}

// maxConflictRetries bounds how often one call is run again because other
// calls kept changing what it read; the call's deadline usually comes first.
const maxConflictRetries = 100

// backoff waits before running a conflicting call again, a random time
// that grows with each attempt (capped at 50 ms) so that calls contending
// for one key spread out instead of colliding again; it reports false when
// the call's deadline ends the wait.
func backoff(ctx context.Context, attempt int) bool {
	ceiling := min(time.Duration(1<<min(attempt, 10))*100*time.Microsecond, 50*time.Millisecond)
	t := time.NewTimer(rand.N(ceiling) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// runOnce runs fn once with a fresh transaction, then commits or discards
// what it wrote: writes are durable before the response leaves, and only
// if the call succeeded.
func (p *Plugin) runOnce(ctx context.Context, in *instance, method string, fn func(context.Context, *instance) (any, error), attempt int) (v any, healthy, conflict bool, err error) {
	in.out.begin(method, p.limits.MaxOutputBytes)
	in.out.attempt = attempt
	in.out.ctx = ctx
	var c *call
	callCtx := ctx
	if p.usesHost {
		c = &call{plugin: p, method: method, attempt: attempt}
		if p.usesStore {
			c.txn = store.NewTxn(p.limits.Store, p.name, p.limits.StoreLimits)
		}
		callCtx = context.WithValue(ctx, callKey{}, c)
	}
	v, err = fn(callCtx, in)
	// A call the watchdog stopped never returns a result, even one it
	// produced in the instant before being stopped: the client was told
	// the call's time limit, and its writes are discarded below. Stopping
	// the clock here settles the race with the watchdog for good.
	deadline, stopped := in.stopClock()
	if stopped {
		v = nil
		if err == nil {
			err = fmt.Errorf("returned after the watchdog stopped it")
		}
	}
	var fault *abi.Fault
	tooLarge := errors.Is(err, ErrResultTooLarge)
	healthy = !stopped && (err == nil || tooLarge || errors.As(err, &fault))
	switch {
	case stopped:
		err = p.callError(ctx, in, method, err)
	case tooLarge:
		err = fmt.Errorf("%s.%s: %w", p.name, method, err)
	case !healthy:
		err = p.callError(ctx, in, method, err)
	}
	if in.out.exceeded && healthy {
		v, err = nil, fmt.Errorf("%s.%s: %w: it wrote %d bytes to stdout and stderr, the limit is %d (limits.max_output_bytes)",
			p.name, method, ErrOutputLimit, in.out.written, p.limits.MaxOutputBytes)
	}
	if c != nil {
		// The watchdog no longer watches this call, so the commit gets
		// what is left of the deadline as its own: a store that hangs
		// cannot hold the call.
		commitCtx := ctx
		if deadline > 0 {
			var cancel context.CancelFunc
			commitCtx, cancel = context.WithDeadline(ctx, time.Unix(0, deadline))
			defer cancel()
		}
		switch cerr := c.commit(commitCtx, err == nil); {
		case cerr == nil:
		case errors.Is(cerr, context.DeadlineExceeded):
			v, err = nil, p.timeoutError(method)
		default:
			v, err = nil, fmt.Errorf("%s.%s: %w", p.name, method, cerr)
			conflict = errors.Is(cerr, store.ErrConflict)
		}
	}
	return v, healthy, conflict, err
}

// atMemoryLimit reports whether an instance's memory is within an eighth of
// the limit: a Go guest's allocator fails somewhat before the last page.
func (p *Plugin) atMemoryLimit(in *instance) bool {
	return in.mem != nil && uint64(in.mem.Size()) >= p.memLimit-p.memLimit/8
}
