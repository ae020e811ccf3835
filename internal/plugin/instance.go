package plugin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/interrupt"
)

const wasiModule = "wasi_snapshot_preview1"

// instance is one sandbox of a plugin; the pool guarantees a single caller.
type instance struct {
	// deadline is when the running call must stop (Unix nanoseconds; 0:
	// no call or no limit; deadlineStopped: the watchdog stopped it). The
	// runtime's watchdog checks it every tick and, once it has passed,
	// cancels ctx (for host functions) and sets flag, the module's
	// interrupt global, which traps at the next loop header or function
	// entry. A call pays two atomic operations for its time limit.
	deadline atomic.Int64
	flag     api.MutableGlobal
	// ctx is what the instance's calls run under; host functions stop
	// waiting when the watchdog or close cancels it.
	ctx    context.Context
	cancel context.CancelCauseFunc

	rt    *Runtime
	out   *output
	mod   api.Module
	mem   api.Memory   // nil when the module has no memory
	alloc api.Function // SDK modules only
	call  api.Function // SDK modules only
	funcs map[string]api.Function
	stack []uint64 // reused by CallWithStack
	// inPtr and inSize are the region rpchost_alloc last returned.
	inPtr, inSize uint32
	buf           []byte // reused to encode calls
}

// DefaultLoadTimeout bounds a module's own set-up code when
// Options.LoadTimeout is 0: its start function and _initialize on every new
// instance, and rpchost_describe when it is loaded.
const DefaultLoadTimeout = 5 * time.Second

// loadDeadlineKey carries, in the context given to instantiate, the deadline
// (Unix nanoseconds) that a load sets once for start, _initialize and
// describe together, so that the three cannot take three times the limit.
type loadDeadlineKey struct{}

func (p *Plugin) loadTimeout() time.Duration {
	if p.limits.LoadTimeout > 0 {
		return p.limits.LoadTimeout
	}
	return DefaultLoadTimeout
}

// setupDeadline is the deadline of a new instance's set-up code: the load's
// when the instance is made by Load, else load_timeout from now.
func (p *Plugin) setupDeadline(ctx context.Context) int64 {
	if d, ok := ctx.Value(loadDeadlineKey{}).(int64); ok {
		return d
	}
	return time.Now().Add(p.loadTimeout()).UnixNano()
}

func (p *Plugin) instantiate(ctx context.Context) (*instance, error) {
	out := &output{logger: p.logger}
	out.begin("", p.limits.MaxOutputBytes)
	cfg := wazero.NewModuleConfig().
		WithName(""). // anonymous, so one module can have many instances
		WithStdout(out.stream("stdout")).
		WithStderr(out.stream("stderr")).
		// Real randomness: a fixed seed would give every instance the same
		// "random" numbers. Clocks stay wazero's fake ones: see README.
		WithRandSource(rand.Reader).
		// None: a command's _start would run main and exit, and a reactor's
		// _initialize runs below, where the watchdog can stop it.
		WithStartFunctions()
	// Instrument removed the module's start section (see
	// interrupt.StartExportName), so nothing of the guest runs here.
	mod, err := p.wrt.InstantiateModule(ctx, p.compiled, cfg)
	if err != nil && p.closing.Load() {
		// Close ran while this instance was being made: the caller
		// retries on the version that replaced this one.
		return nil, ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("instantiate %s: %w", p.name, err)
	}
	flag, ok := mod.ExportedGlobal(interrupt.ExportName).(api.MutableGlobal)
	if !ok {
		return nil, errors.Join(fmt.Errorf("instantiate %s: no interrupt flag: %w", p.name, ErrProtocol), mod.Close(ctx))
	}
	p.rt.live.Add(1)
	p.rt.made.Add(1)
	in := &instance{rt: p.rt, out: out, mod: mod, mem: memoryOf(mod), flag: flag, funcs: map[string]api.Function{}, stack: make([]uint64, 2)}
	in.ctx, in.cancel = context.WithCancelCause(context.Background())
	p.rt.watch(in)
	// The start function, then _initialize, in the order wasm and WASI
	// reactors run them, under one deadline the watchdog enforces.
	in.armUntil(p.setupDeadline(ctx))
	for _, step := range []struct{ export, what string }{
		{interrupt.StartExportName, "start function"},
		{abi.ExportInitialize, abi.ExportInitialize},
	} {
		fn := mod.ExportedFunction(step.export)
		if fn == nil {
			continue
		}
		if err := fn.CallWithStack(in.ctx, nil); err != nil || in.ctx.Err() != nil {
			in.disarm()
			return nil, errors.Join(fmt.Errorf("instantiate %s: %w", p.name, p.setupError(in, step.what, err)), in.close())
		}
	}
	if !in.disarm() {
		return nil, errors.Join(fmt.Errorf("instantiate %s: %w", p.name, p.setupError(in, "its start function or "+abi.ExportInitialize, nil)), in.close())
	}
	if p.kind == KindSDK {
		in.alloc = mod.ExportedFunction(abi.ExportAlloc)
		in.call = mod.ExportedFunction(abi.ExportCall)
	}
	return in, nil
}

// setupError says why a module's set-up code failed: stopped at the load
// deadline, or its own error.
func (p *Plugin) setupError(in *instance, what string, err error) error {
	if errors.Is(context.Cause(in.ctx), ErrTimeout) {
		return fmt.Errorf("%w: %s did not finish within %v (limits.load_timeout)", ErrTimeout, what, p.loadTimeout())
	}
	if err == nil {
		err = context.Cause(in.ctx)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// likelyOutOfMemory tells a trap caused by running out of memory from
// other traps. wazero does not report a refused memory.grow, so this reads
// the aftermath: programs abort (unreachable) when an allocation fails, and
// a refused grow leaves memory past half the limit whenever the program
// grows by less than half the limit at a time.
func (p *Plugin) likelyOutOfMemory(in *instance, trap string) bool {
	return in.mem != nil && strings.Contains(trap, "unreachable") && uint64(in.mem.Size()) >= p.memLimit/2
}

// memoryOf returns a module's memory, or a true nil: wazero returns a typed
// nil for a module without one, which compares unequal to nil.
func memoryOf(mod api.Module) api.Memory {
	mem := mod.Memory()
	if mem == nil || reflect.ValueOf(mem).IsNil() {
		return nil
	}
	return mem
}

// deadlineStopped marks an instance the watchdog stopped.
const deadlineStopped = -1

// arm starts the clock on a call of at most d (none when d is 0).
func (in *instance) arm(d time.Duration) {
	if d > 0 {
		in.armUntil(time.Now().Add(d).UnixNano())
	}
}

// armUntil starts the clock on a call that must end by deadline (Unix
// nanoseconds; 0: no limit).
func (in *instance) armUntil(deadline int64) { in.deadline.Store(deadline) }

// disarm stops the clock and reports whether the instance is still usable:
// false when the watchdog stopped it, even if the call returned just in time.
func (in *instance) disarm() bool {
	return in.deadline.Swap(0) != deadlineStopped && in.ctx.Err() == nil
}

// stopIfOverdue is the watchdog's check: it stops the running call once its
// deadline has passed. The compare-and-swap makes sure that a call which
// ended (or a next call armed) in the meantime is left alone.
func (in *instance) stopIfOverdue(now int64) {
	d := in.deadline.Load()
	if d <= 0 || now <= d || !in.deadline.CompareAndSwap(d, deadlineStopped) {
		return
	}
	// Cancel first: whoever sees the trap the flag causes also sees why.
	in.cancel(ErrTimeout)
	in.flag.Set(1)
}

func (in *instance) close() error {
	in.rt.unwatch(in)
	in.cancel(ErrClosed)
	in.rt.live.Add(-1)
	return in.mod.Close(context.Background())
}

// function returns an exported function, cached per instance.
func (in *instance) function(name string) api.Function {
	fn, ok := in.funcs[name]
	if !ok {
		fn = in.mod.ExportedFunction(name)
		in.funcs[name] = fn
	}
	return fn
}

// callError names what went wrong in a way a client can act on, and logs
// what it named, with the full wasm stack, which stays out of the fault.
func (p *Plugin) callError(ctx context.Context, in *instance, method string, err error) error {
	classified := p.classify(ctx, in, method, err)
	if errors.Is(classified, ErrTimeout) {
		// The trap is only how the stop was carried out; where the guest
		// was is what helps.
		_, trace, _ := strings.Cut(err.Error(), "\n")
		p.logger.Warn("call timed out", "method", method, "limit", p.limits.CallTimeout, "error", classified.Error(), "stack", trace)
		return classified
	}
	p.logger.Warn("call failed", "method", method, "error", classified.Error(), "detail", err.Error())
	return classified
}

func (p *Plugin) classify(ctx context.Context, in *instance, method string, err error) error {
	if errors.Is(err, ErrProtocol) {
		return fmt.Errorf("%s.%s: %w", p.name, method, err)
	}
	if errors.Is(context.Cause(in.ctx), ErrTimeout) {
		return p.timeoutError(method)
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		switch exit.ExitCode() {
		case sys.ExitCodeDeadlineExceeded:
			return p.timeoutError(method)
		case sys.ExitCodeContextCanceled:
			return fmt.Errorf("%s.%s: call canceled: %w", p.name, method, context.Cause(ctx))
		}
		return fmt.Errorf("%s.%s: %w: the module exited with code %d", p.name, method, ErrTrap, exit.ExitCode())
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if in.out.outOfMemory || p.likelyOutOfMemory(in, msg) {
		return fmt.Errorf("%s.%s: %w: its memory reached %d of the %d bytes allowed (limits.memory_mib) (%s)",
			p.name, method, ErrMemoryLimit, in.mem.Size(), p.memLimit, msg)
	}
	return fmt.Errorf("%s.%s: %w: %s", p.name, method, ErrTrap, msg)
}

func (p *Plugin) timeoutError(method string) error {
	return fmt.Errorf("%s.%s: %w (%v)", p.name, method, ErrTimeout, p.limits.CallTimeout)
}

// instanceStateBytes is what wazero holds for one instance beside its
// linear memory: tables, globals, the module instance and its exports,
// the call engine's stack. It depends little on the module: measured for a
// Go guest at about 1.1 MiB per called plugin beside its linear memory
// (bench/README.md, issue 17: 4.4 GiB for 1,000 copies of add each called
// once), written here as 1 MiB since the budget is an estimate.
const instanceStateBytes = 1 << 20

// idleBytes is what the instance holds while idle, as the idle budget
// (pool.max_idle_bytes) counts it.
func (in *instance) idleBytes() int64 {
	n := int64(instanceStateBytes)
	if in.mem != nil {
		n += int64(in.mem.Size())
	}
	return n
}
