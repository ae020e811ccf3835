package plugin

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/registry"
)

// numericMethods serves every export whose types are all numbers, so a
// hand-written .wat or a C function needs no SDK.
func (p *Plugin) numericMethods() (map[string]registry.Method, error) {
	methods := map[string]registry.Method{}
	for name, def := range p.compiled.ExportedFunctions() {
		if abi.CheckDeclaredMethodName(name) != nil {
			continue
		}
		if !allNumeric(def.ParamTypes()) || !allNumeric(def.ResultTypes()) {
			p.logger.Info("export not served: only i32, i64, f32 and f64 parameters and results are", "export", name)
			continue
		}
		methods[name] = &numericMethod{plugin: p, name: name, params: def.ParamTypes(), results: def.ResultTypes()}
	}
	if len(methods) == 0 {
		return nil, errors.New("exports no function rpchost can serve: neither rpchost_abi_version (ABI v1) nor a function of i32/i64/f32/f64")
	}
	return methods, nil
}

func allNumeric(types []api.ValueType) bool {
	for _, t := range types {
		switch t {
		case api.ValueTypeI32, api.ValueTypeI64, api.ValueTypeF32, api.ValueTypeF64:
		default:
			return false
		}
	}
	return true
}

// numericMethod is an exported function of a module without an SDK.
type numericMethod struct {
	plugin          *Plugin
	name            string
	params, results []api.ValueType
}

var _ registry.Method = (*numericMethod)(nil)

func (m *numericMethod) Help() string {
	return fmt.Sprintf("WebAssembly export %s%s.", m.name, signature(m.params, m.results))
}

func (m *numericMethod) Signatures() [][]string {
	sig := []string{xmlrpcResultType(m.results)}
	for _, t := range m.params {
		sig = append(sig, xmlrpcType(t))
	}
	return [][]string{sig}
}

func (m *numericMethod) Call(ctx context.Context, params []any) (any, error) {
	if len(params) != len(m.params) {
		return nil, abi.Faultf(abi.CodeInvalidParams, "%s.%s takes %d params %s, got %d",
			m.plugin.name, m.name, len(m.params), typeList(m.params), len(params))
	}
	stackSize := max(len(m.params), len(m.results))
	return m.plugin.invoke(ctx, m.name, func(ctx context.Context, in *instance) (any, error) {
		if cap(in.stack) < stackSize {
			in.stack = make([]uint64, stackSize)
		}
		stack := in.stack[:stackSize]
		for i, t := range m.params {
			v, err := toWasm(params[i], t)
			if err != nil {
				return nil, abi.Faultf(abi.CodeInvalidParams, "%s.%s param %d: %v", m.plugin.name, m.name, i+1, err)
			}
			stack[i] = v
		}
		if err := in.function(m.name).CallWithStack(ctx, stack); err != nil {
			return nil, err
		}
		return fromWasmResults(stack, m.results), nil
	})
}

func toWasm(v any, t api.ValueType) (uint64, error) {
	switch t {
	case api.ValueTypeI32:
		n, ok := v.(int64)
		if !ok {
			return 0, fmt.Errorf("want int (i32), got %s", abi.TypeName(v))
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return 0, fmt.Errorf("%d does not fit in i32", n)
		}
		return api.EncodeI32(int32(n)), nil
	case api.ValueTypeI64:
		n, ok := v.(int64)
		if !ok {
			return 0, fmt.Errorf("want int (i64), got %s", abi.TypeName(v))
		}
		return api.EncodeI64(n), nil
	case api.ValueTypeF32, api.ValueTypeF64:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		default:
			return 0, fmt.Errorf("want double, got %s", abi.TypeName(v))
		}
		if t == api.ValueTypeF64 {
			return api.EncodeF64(f), nil
		}
		if math.Abs(f) > math.MaxFloat32 {
			return 0, fmt.Errorf("%g does not fit in f32", f)
		}
		return api.EncodeF32(float32(f)), nil
	}
	return 0, fmt.Errorf("unsupported wasm type %s", api.ValueTypeName(t))
}

// fromWasmResults returns nil for no result, the value for one, and an
// array for several.
func fromWasmResults(stack []uint64, types []api.ValueType) any {
	switch len(types) {
	case 0:
		return nil
	case 1:
		return fromWasm(stack[0], types[0])
	}
	out := make([]any, len(types))
	for i, t := range types {
		out[i] = fromWasm(stack[i], t)
	}
	return out
}

func fromWasm(v uint64, t api.ValueType) any {
	switch t {
	case api.ValueTypeI32:
		return int64(api.DecodeI32(v))
	case api.ValueTypeF32:
		return float64(api.DecodeF32(v))
	case api.ValueTypeF64:
		return api.DecodeF64(v)
	}
	return int64(v)
}

func xmlrpcType(t api.ValueType) string {
	switch t {
	case api.ValueTypeI32:
		return "int"
	case api.ValueTypeI64:
		return "i8"
	}
	return "double"
}

func xmlrpcResultType(results []api.ValueType) string {
	switch len(results) {
	case 0:
		return "nil"
	case 1:
		return xmlrpcType(results[0])
	}
	return "array"
}

func typeList(types []api.ValueType) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = api.ValueTypeName(t)
	}
	return "(" + strings.Join(names, ", ") + ")"
}

// signature renders wasm types the way .wat does: "(i64, i64) -> i64".
func signature(params, results []api.ValueType) string {
	return typeList(params) + " -> " + typeList(results)
}
