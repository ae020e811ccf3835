package plugin

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/interrupt"
)

// A Report is what loading a module finds out about it, whether or not it
// loads: `rpchost inspect` prints it. Inspect runs Load's own steps and
// checks (load), so its problems are the loader's refusals, word for word.
type Report struct {
	// Kind is KindSDK or KindNumeric; 0 when the module did not compile.
	Kind Kind
	// ABIVersion is what rpchost_abi_version returned; 0 when it did not run.
	ABIVersion int32
	// Methods are what the module serves, sorted by name; none when its
	// code did not run or failed.
	Methods []MethodInfo
	// Imports are the functions the module imports, in its order.
	Imports []Import
	// Memory is the module's linear memory as declared, and the limit.
	Memory Memory
	// CompileTime is how long instrumenting and compiling took.
	CompileTime time.Duration
	// Ran says whether the module's set-up code and rpchost_describe ran:
	// not when it did not compile, or when it could not be instantiated.
	Ran bool
	// Problems are the reasons the load fails, each as the loader says it;
	// none when the module loads.
	Problems []error
}

// MethodInfo is one method as system.methodHelp and
// system.methodSignature describe it.
type MethodInfo struct {
	Name       string
	Help       string
	Signatures [][]string
}

// Import is one imported function and the grant it needs: "" for WASI and
// for the capabilities every plugin has.
type Import struct {
	Module, Name string
	Grant        string
}

// Memory is a module's memory as it declares it (in 64 KiB pages), and
// the limit an instance's memory has here.
type Memory struct {
	// Declared is false for a module without a memory.
	Declared bool
	// Imported is true when the module imports its memory.
	Imported bool
	// Min and Max are the declared sizes; HasMax is false when no maximum
	// is declared.
	Min, Max uint64
	HasMax   bool
	// LimitPages is the most pages an instance may have (limits.memory_mib):
	// a smaller declared maximum is kept, a larger one (or none) becomes
	// this, and a larger minimum refuses the module.
	LimitPages uint32
}

// Inspect loads wasm as Load would with opts, without keeping it, and
// reports what it found, every problem that refuses it included.
// haveStore says whether a store would back the kv capabilities (none is
// opened here). The module's set-up code and rpchost_describe run, under
// opts.LoadTimeout, unless a problem keeps the module from being
// instantiated. Nothing is shared with other plugins of r.
func (r *Runtime) Inspect(ctx context.Context, name string, wasm []byte, opts Options, haveStore bool) (*Report, error) {
	rep := &Report{}
	if m, err := interrupt.DeclaredMemory(wasm); err == nil {
		rep.Memory = Memory{Declared: m.Declared, Imported: m.Imported, Min: m.Min, Max: m.Max, HasMax: m.HasMax}
	}
	opts.Digest = "" // a module of its own, compiled for this report
	opts.Compiled = nil
	p, err := r.load(ctx, name, wasm, opts, haveStore, rep)
	if err != nil && len(rep.Problems) == 0 {
		// A step before the checks failed: not valid wasm, over a
		// structural limit, refused by wazero. (The checks' problems and
		// the failure of the module's code are in rep already.)
		rep.Problems = append(rep.Problems, err)
	}
	if p != nil {
		if cerr := p.Close(ctx); cerr != nil {
			return rep, cerr
		}
	}
	return rep, nil
}

// record notes what the compiled module declares.
func (rep *Report) record(p *Plugin) {
	rep.Kind = p.kind
	for _, fn := range p.compiled.ImportedFunctions() {
		mod, name, _ := fn.Import()
		imp := Import{Module: mod, Name: name}
		if mod == abi.HostModule {
			imp.Grant, _ = abi.HostGrant(name)
		}
		rep.Imports = append(rep.Imports, imp)
	}
}

// ran notes what running the module's code told: its ABI version and
// methods when it succeeded.
func (rep *Report) ran(p *Plugin, err error) {
	rep.Ran = true
	rep.ABIVersion = p.abiVersion
	if err != nil {
		rep.Problems = append(rep.Problems, err)
		return
	}
	for name, m := range p.methods {
		rep.Methods = append(rep.Methods, MethodInfo{Name: name, Help: m.Help(), Signatures: m.Signatures()})
	}
	slices.SortFunc(rep.Methods, func(a, b MethodInfo) int { return strings.Compare(a.Name, b.Name) })
}
