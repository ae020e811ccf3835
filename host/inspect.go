package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/plugin"
)

// An Inspection is what a host with some configuration would do with a
// module, found without serving it (`rpchost inspect`): the module is
// compiled, checked and described by the loader's own code, then dropped.
type Inspection struct {
	Name   string // the plugin name it was inspected as
	Size   int
	SHA256 string // hex
	// Kind is "sdk" (ABI v1) or "numeric" (served from its exports); ""
	// when the module did not compile.
	Kind string
	// ABIVersion is what rpchost_abi_version returned; 0 when it did not run.
	ABIVersion int
	Methods    []InspectedMethod
	Imports    []InspectedImport
	// Grants are the capabilities the configuration gives this plugin
	// (plugin.<name>.grants; all of them by default).
	Grants      []string
	Memory      InspectedMemory
	CompileTime time.Duration
	// Ran is true when the module's set-up code and rpchost_describe ran.
	Ran bool
	// Problems are the reasons the load fails, each in the words the
	// loader logs; none when the module would be served.
	Problems []string
}

// Loads reports whether the module would be served.
func (i *Inspection) Loads() bool { return len(i.Problems) == 0 }

// InspectedMethod is one method, as system.methodHelp and
// system.methodSignature would describe it.
type InspectedMethod struct {
	Name       string
	Help       string
	Signatures [][]string
}

// InspectedImport is one imported function and the grant it needs ("" for
// WASI and the capabilities every plugin has).
type InspectedImport struct {
	Module, Name, Grant string
}

// InspectedMemory is the module's memory as declared, in 64 KiB pages, the
// limit an instance has here, and what the limit does to it.
type InspectedMemory struct {
	Declared, Imported bool
	MinPages, MaxPages uint64
	HasMax             bool
	LimitPages         uint32
	Effect             string
}

// Inspect reports what a host configured by cfg would do with wasm as the
// plugin name (its file being name.wasm) without serving it: the file
// name's and the loader's checks, with the configuration's limits, grants
// and store (which is not opened: only whether there is one counts). The
// module's set-up code and rpchost_describe run, under load_timeout,
// unless a problem keeps it from being instantiated. The error is for an
// invalid configuration or a failure of the runtime, never for the
// module, whose problems are in the Inspection.
func Inspect(ctx context.Context, cfg Config, name string, wasm []byte) (*Inspection, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("invalid configuration: %w", err)
	}
	sum := sha256.Sum256(wasm)
	in := &Inspection{Name: name, Size: len(wasm), SHA256: hex.EncodeToString(sum[:])}
	if err := checkPluginName(name); err != nil {
		in.Problems = append(in.Problems, err.Error())
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// A runtime of its own, without the compilation cache: the compile
	// time reported is the real one, and nothing is written.
	rt, err := plugin.NewRuntime(ctx, plugin.RuntimeOptions{MemoryLimitPages: uint32(cfg.limits.MemoryBytes >> 16), Logger: logger})
	if err != nil {
		return nil, err
	}
	opts := cfg.loadOptions(name)
	opts.Logger = logger
	in.Grants = opts.Grants
	if in.Grants == nil {
		in.Grants = abi.DefaultGrants()
	}
	rep, ierr := rt.Inspect(ctx, name, wasm, opts, cfg.store.Driver != "")
	if err := errors.Join(ierr, rt.Close(ctx)); err != nil {
		return nil, err
	}
	if rep.Kind != 0 {
		in.Kind = rep.Kind.String()
	}
	in.ABIVersion = int(rep.ABIVersion)
	in.CompileTime = rep.CompileTime
	in.Ran = rep.Ran
	for _, m := range rep.Methods {
		in.Methods = append(in.Methods, InspectedMethod(m))
	}
	for _, imp := range rep.Imports {
		in.Imports = append(in.Imports, InspectedImport(imp))
	}
	m := rep.Memory
	in.Memory = InspectedMemory{Declared: m.Declared, Imported: m.Imported, MinPages: m.Min, MaxPages: m.Max, HasMax: m.HasMax,
		LimitPages: m.LimitPages}
	in.Memory.Effect = memoryEffect(m)
	for _, p := range rep.Problems {
		in.Problems = append(in.Problems, p.Error())
	}
	return in, nil
}

// memoryEffect says what the memory limit does to a declared memory, as
// wazero applies it: a minimum over the limit refuses the module, a
// maximum over it (or none) becomes the limit, where memory.grow fails.
func memoryEffect(m plugin.Memory) string {
	limit := fmt.Sprintf("limits.memory_mib, %d pages (%d MiB)", m.LimitPages, uint64(m.LimitPages)>>4)
	switch {
	case m.LimitPages == 0:
		return "not compiled: the limit was not applied"
	case !m.Declared:
		return "declares no memory"
	case m.Min > uint64(m.LimitPages):
		return "refused: its minimum is over " + limit
	case !m.HasMax:
		return "no maximum declared: it may grow up to " + limit
	case m.Max > uint64(m.LimitPages):
		return fmt.Sprintf("its maximum, %d pages, is cut to %s; memory.grow fails past it", m.Max, limit)
	}
	return fmt.Sprintf("its maximum, %d pages, is within %s", m.Max, limit)
}
