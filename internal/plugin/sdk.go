package plugin

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tetratelabs/wazero/api"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/registry"
)

var sdkExports = []struct {
	name            string
	params, results []api.ValueType
}{
	{abi.ExportVersion, nil, []api.ValueType{api.ValueTypeI32}},
	{abi.ExportAlloc, []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
	{abi.ExportDescribe, nil, []api.ValueType{api.ValueTypeI64}},
	{abi.ExportCall, []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI64}},
}

// checkSDKExports lists every ABI v1 export a module that exports
// rpchost_abi_version lacks or has with the wrong type, and a missing
// "memory" export.
func checkSDKExports(exports map[string]api.FunctionDefinition, memories map[string]api.MemoryDefinition) []error {
	var problems []error
	for _, want := range sdkExports {
		def, ok := exports[want.name]
		if !ok {
			problems = append(problems, fmt.Errorf("exports %s but not %s: an ABI v%d module needs both", abi.ExportVersion, want.name, abi.Version))
			continue
		}
		if !slices.Equal(def.ParamTypes(), want.params) || !slices.Equal(def.ResultTypes(), want.results) {
			problems = append(problems, fmt.Errorf("export %s has type %s, ABI v%d wants %s", want.name,
				signature(def.ParamTypes(), def.ResultTypes()), abi.Version, signature(want.params, want.results)))
		}
	}
	if _, ok := memories["memory"]; !ok {
		problems = append(problems, fmt.Errorf("an ABI v%d module must export its memory as \"memory\"", abi.Version))
	}
	return problems
}

// describe checks the guest's ABI version and reads its manifest.
func (p *Plugin) describe(ctx context.Context, in *instance) (map[string]registry.Method, error) {
	if err := in.function(abi.ExportVersion).CallWithStack(ctx, in.stack); err != nil {
		return nil, fmt.Errorf("%s: %w", abi.ExportVersion, err)
	}
	p.abiVersion = int32(in.stack[0])
	if v := p.abiVersion; v != abi.Version {
		return nil, fmt.Errorf("module speaks ABI version %d; this rpchost speaks version %d", v, abi.Version)
	}
	if err := in.function(abi.ExportDescribe).CallWithStack(ctx, in.stack); err != nil {
		return nil, fmt.Errorf("%s: %w", abi.ExportDescribe, err)
	}
	out, err := in.region(in.stack[0])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", abi.ExportDescribe, err)
	}
	manifest, err := decodeManifest(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", abi.ExportDescribe, err)
	}
	methods := make(map[string]registry.Method, len(manifest.Methods))
	for _, d := range manifest.Methods {
		if err := abi.CheckDeclaredMethodName(d.Name); err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		if _, dup := methods[d.Name]; dup {
			return nil, fmt.Errorf("manifest lists method %q twice", d.Name)
		}
		methods[d.Name] = &sdkMethod{plugin: p, desc: d}
	}
	if len(methods) == 0 {
		return nil, errors.New("manifest lists no methods")
	}
	return methods, nil
}

// region reads a packed (pointer<<32 | length) region of guest memory. The
// bytes alias guest memory and are valid until the next call on in.
func (in *instance) region(packed uint64) ([]byte, error) {
	ptr, n := uint32(packed>>32), uint32(packed)
	b, ok := in.mem.Read(ptr, n)
	if !ok {
		return nil, fmt.Errorf("%w: region [%d, +%d) lies outside memory of %d bytes", ErrProtocol, ptr, n, in.mem.Size())
	}
	return b, nil
}

// sdkMethod is a method of an ABI v1 module.
type sdkMethod struct {
	plugin *Plugin
	desc   abi.MethodDesc
}

var (
	_ registry.Method        = (*sdkMethod)(nil)
	_ registry.EncodedParams = (*sdkMethod)(nil)
)

// TakesEncodedParams: abi.AppendCall copies an abi.Encoded param into the
// call as it is.
func (m *sdkMethod) TakesEncodedParams() {}

func (m *sdkMethod) Help() string           { return m.desc.Help }
func (m *sdkMethod) Signatures() [][]string { return m.desc.Signatures }

func (m *sdkMethod) Call(ctx context.Context, params []any) (any, error) {
	return m.call(ctx, params, abi.DecodeResultWithin)
}

var _ registry.EncodedResults = (*sdkMethod)(nil)

// CallEncoded is Call with an array or struct result returned as an
// abi.Encoded (abi.DecodeResultEncoded): checked as Call checks it, and
// handed to the XML-RPC encoder without a Go value per element.
func (m *sdkMethod) CallEncoded(ctx context.Context, params []any) (any, error) {
	return m.call(ctx, params, abi.DecodeResultEncoded)
}

func (m *sdkMethod) call(ctx context.Context, params []any, decode resultDecoder) (any, error) {
	return m.plugin.invoke(ctx, m.desc.Name, func(ctx context.Context, in *instance) (any, error) {
		return in.callSDK(ctx, m.desc.Name, params, m.plugin.limits.MaxResultBytes, m.plugin.limits.MaxResultValues, decode)
	})
}

// resultDecoder turns a guest's Result into the value returned, checking
// it within maxValues: abi.DecodeResultWithin or abi.DecodeResultEncoded.
type resultDecoder func(b []byte, maxValues int) (any, error)

// minCallRegion is the smallest region asked of rpchost_alloc, so that
// typical calls all fit in the first one.
const minCallRegion = 4 << 10

// callSDK writes the call into guest memory, runs it and decodes the result.
func (in *instance) callSDK(ctx context.Context, method string, params []any, maxResult, maxValues int, decode resultDecoder) (any, error) {
	buf, err := abi.AppendCall(in.buf[:0], method, params)
	if err != nil {
		return nil, abi.Faultf(abi.CodeInvalidParams, "%s: %v", method, err)
	}
	in.buf = buf
	// A region from rpchost_alloc stays valid until the next rpchost_alloc
	// (ABI v1), so one region serves every call that fits: one wasm call
	// per dispatch instead of two.
	if len(buf) > int(in.inSize) {
		size := max(len(buf), minCallRegion)
		in.stack[0] = uint64(size)
		if err := in.alloc.CallWithStack(ctx, in.stack); err != nil {
			in.inSize = 0
			return nil, err
		}
		in.inPtr, in.inSize = uint32(in.stack[0]), uint32(size)
	}
	ptr := in.inPtr
	if !in.mem.Write(ptr, buf) {
		return nil, fmt.Errorf("%w: %s returned [%d, +%d), outside memory", ErrProtocol, abi.ExportAlloc, ptr, len(buf))
	}
	in.stack[0], in.stack[1] = uint64(ptr), uint64(len(buf))
	if err := in.call.CallWithStack(ctx, in.stack); err != nil {
		return nil, err
	}
	out, err := in.region(in.stack[0])
	if err != nil {
		return nil, err
	}
	if maxResult > 0 && len(out) > maxResult {
		return nil, fmt.Errorf("%w: %d bytes encoded, the limit is %d (limits.max_result_bytes)", ErrResultTooLarge, len(out), maxResult)
	}
	v, err := decode(out, maxValues) // out is the guest's memory: decode copies what it keeps
	if errors.Is(err, abi.ErrTooManyValues) {
		return nil, fmt.Errorf("%w: it holds more than %d array elements and struct members (limits.max_items)", ErrResultTooLarge, maxValues)
	}
	if errors.Is(err, abi.ErrMalformed) {
		return nil, fmt.Errorf("%w: result: %v", ErrProtocol, err)
	}
	return v, err
}
