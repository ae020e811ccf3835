package plugin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/rpchost/rpchost/abi"
)

const wasiModule = "wasi_snapshot_preview1"

// instance is one sandbox of a plugin; the pool guarantees a single caller.
type instance struct {
	rt    *Runtime
	mod   api.Module
	alloc api.Function // SDK modules only
	call  api.Function // SDK modules only
	funcs map[string]api.Function
	stack []uint64 // reused by CallWithStack
	buf   []byte   // reused to encode calls
}

func (p *Plugin) instantiate(ctx context.Context) (*instance, error) {
	cfg := wazero.NewModuleConfig().
		WithName(""). // anonymous, so one module can have many instances
		WithStdout(outputWriter{logger: p.logger, stream: "stdout"}).
		WithStderr(outputWriter{logger: p.logger, stream: "stderr"}).
		WithStartFunctions() // a command's _start would run main and exit
	if _, ok := p.compiled.ExportedFunctions()[abi.ExportInitialize]; ok {
		cfg = cfg.WithStartFunctions(abi.ExportInitialize) // WASI reactor set-up
	}
	mod, err := p.rt.rt.InstantiateModule(ctx, p.compiled, cfg)
	if err != nil && p.closing.Load() {
		// Close ran while this instance was being made: the caller
		// retries on the version that replaced this one.
		return nil, ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("instantiate %s: %w", p.name, err)
	}
	p.rt.live.Add(1)
	in := &instance{rt: p.rt, mod: mod, funcs: map[string]api.Function{}, stack: make([]uint64, 2)}
	if p.kind == KindSDK {
		in.alloc = mod.ExportedFunction(abi.ExportAlloc)
		in.call = mod.ExportedFunction(abi.ExportCall)
	}
	return in, nil
}

func (in *instance) close() error {
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

// callError names what went wrong in a way a client can act on, and logs the
// full wasm stack, which stays out of the fault.
func (p *Plugin) callError(ctx context.Context, method string, err error) error {
	p.logger.Warn("call failed", "method", method, "error", err.Error())
	if errors.Is(err, ErrProtocol) {
		return fmt.Errorf("%s.%s: %w", p.name, method, err)
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		switch exit.ExitCode() {
		case sys.ExitCodeDeadlineExceeded:
			return fmt.Errorf("%s.%s: %w (%v)", p.name, method, ErrTimeout, p.timeout)
		case sys.ExitCodeContextCanceled:
			return fmt.Errorf("%s.%s: call canceled: %w", p.name, method, context.Cause(ctx))
		}
		return fmt.Errorf("%s.%s: %w: the module exited with code %d", p.name, method, ErrTrap, exit.ExitCode())
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return fmt.Errorf("%s.%s: %w: %s", p.name, method, ErrTrap, msg)
}
