package host

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/registry"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// builtin is a method served by the host itself.
type builtin struct {
	help string
	sigs [][]string
	fn   func(ctx context.Context, params []any) (any, error)
}

var _ registry.Method = (*builtin)(nil)

func (b *builtin) Help() string           { return b.help }
func (b *builtin) Signatures() [][]string { return b.sigs }
func (b *builtin) Call(ctx context.Context, params []any) (any, error) {
	return b.fn(ctx, params)
}

const multicallName = "system.multicall"

func (h *Host) registerSystem() error {
	methods := map[string]*builtin{
		"system.listMethods": {
			help: "Lists every method name, sorted. A bare name (add) is an alias of one qualified name (plugin.add): the plugin that owns it (it keeps the name while loaded; rpchost --help states the rule), unless the configuration's aliases pin it.",
			sigs: [][]string{{"array"}},
			fn:   h.listMethods,
		},
		"system.methodHelp": {
			help: "Returns the help text of a method.",
			sigs: [][]string{{"string", "string"}},
			fn:   h.methodHelp,
		},
		"system.methodSignature": {
			help: "Returns the signatures of a method, each an array of type names with the return type first, or the string \"signatures not supported\".",
			sigs: [][]string{{"array", "string"}, {"string", "string"}},
			fn:   h.methodSignature,
		},
		multicallName: {
			help: "Runs several calls in one request: takes an array of {methodName, params} structs and returns, for each call in order, a one-element array holding its result or a {faultCode, faultString} struct.",
			sigs: [][]string{{"array", "array"}},
			fn:   h.multicall,
		},
		"system.getCapabilities": {
			help: "Lists the specifications this server implements.",
			sigs: [][]string{{"struct"}},
			fn:   getCapabilities,
		},
	}
	var errs []error
	for name, m := range methods {
		errs = append(errs, h.registry.RegisterBuiltin(name, m))
	}
	return errors.Join(errs...)
}

func wantParams(method string, params []any, n int) error {
	if len(params) != n {
		return abi.Faultf(abi.CodeInvalidParams, "%s takes %d params, got %d", method, n, len(params))
	}
	return nil
}

func (h *Host) lookupNamed(ctx context.Context, method string, params []any) (*registry.Entry, error) {
	if err := wantParams(method, params, 1); err != nil {
		return nil, err
	}
	name, ok := params[0].(string)
	if !ok {
		return nil, abi.Faultf(abi.CodeInvalidParams, "%s: want a method name (string), got %s", method, abi.TypeName(params[0]))
	}
	e, ok := h.registry.Lookup(name)
	if !ok || !h.mayCall(ctx, name) { // a caller learns nothing of what it may not call
		// The name is the client's, of any length: quoted cut, so that
		// the fault stays small.
		return nil, &notFoundError{msg: method + ": no method " + strconv.Quote(clip(name, abi.MaxMethodNameBytes))}
	}
	return e, nil
}

func (h *Host) listMethods(ctx context.Context, params []any) (any, error) {
	if err := wantParams("system.listMethods", params, 0); err != nil {
		return nil, err
	}
	names := h.registry.Names()
	out := make([]any, 0, len(names))
	for _, n := range names {
		if h.mayCall(ctx, n) { // only what this caller may call (auth.*)
			out = append(out, n)
		}
	}
	return out, nil
}

func (h *Host) methodHelp(ctx context.Context, params []any) (any, error) {
	e, err := h.lookupNamed(ctx, "system.methodHelp", params)
	if err != nil {
		return nil, err
	}
	if e.IsAlias() {
		return fmt.Sprintf("Same as %s. %s", e.Target, e.Method.Help()), nil
	}
	return e.Method.Help(), nil
}

func (h *Host) methodSignature(ctx context.Context, params []any) (any, error) {
	e, err := h.lookupNamed(ctx, "system.methodSignature", params)
	if err != nil {
		return nil, err
	}
	sigs := e.Method.Signatures()
	if len(sigs) == 0 {
		return "signatures not supported", nil // what Python's server answers
	}
	out := make([]any, len(sigs))
	for i, sig := range sigs {
		types := make([]any, len(sig))
		for j, t := range sig {
			types[j] = t
		}
		out[i] = types
	}
	return out, nil
}

// multicall runs its calls one after another, each through the same
// dispatch as a call of its own (the plugin's pool, queue, time and result
// limits), and bounds the whole as runBatch says: its results together by
// limits.max_result_bytes, measured as the response's XML; its calls
// together by limits.call_timeout; and it stops when the client goes away.
//
// Every call keeps its own entry, so a client knows which calls ran (and
// wrote) and which did not.
func (h *Host) multicall(ctx context.Context, params []any) (any, error) {
	if err := wantParams(multicallName, params, 1); err != nil {
		return nil, err
	}
	calls, ok := params[0].([]any)
	if !ok {
		return nil, abi.Faultf(abi.CodeInvalidParams, "%s: want an array of {methodName, params} structs, got %s", multicallName, abi.TypeName(params[0]))
	}
	if len(calls) > h.cfg.maxMulticall {
		return nil, abi.Faultf(abi.CodeInvalidParams, "%s: %d calls exceed the limit of %d (limits.max_multicall)", multicallName, len(calls), h.cfg.maxMulticall)
	}
	results := make([]any, len(calls))
	err := h.runBatch(ctx, multicallName, len(calls),
		func(ctx context.Context, i int) (any, error) { return h.multicallOne(ctx, i, calls[i]) },
		func(i int, v any, err error, left int) (int, bool) {
			var entry any
			if err == nil {
				// A result XML-RPC cannot carry (a NaN, a control
				// character) is this call's fault, not the whole
				// response's: the others ran, and their writes stand.
				if _, encErr := xmlrpc.AppendResponse(nil, v); encErr != nil {
					err = fmt.Errorf("the result of call %d cannot be sent as XML-RPC: %w", i, encErr)
				}
			}
			if err != nil {
				entry = faultEntry(toFault(err))
			} else {
				entry = []any{v}
			}
			n := 0
			if left >= 0 { // not-run faults are bounded in size and number (limits.max_multicall)
				if n = len("<value></value>") + xmlSize(entry, left); n > left {
					return 0, false
				}
			}
			results[i] = entry
			return n, true
		})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func faultEntry(f *abi.Fault) abi.Struct {
	return abi.Struct{{Name: "faultCode", Value: int64(f.Code)}, {Name: "faultString", Value: f.Message}}
}

func (h *Host) multicallOne(ctx context.Context, i int, c any) (any, error) {
	s, ok := c.(abi.Struct)
	if !ok {
		return nil, abi.Faultf(abi.CodeInvalidParams, "%s call %d: want a {methodName, params} struct, got %s", multicallName, i, abi.TypeName(c))
	}
	nameValue, _ := s.Get("methodName")
	name, ok := nameValue.(string)
	if !ok {
		return nil, abi.Faultf(abi.CodeInvalidParams, "%s call %d: methodName must be a string, got %s", multicallName, i, abi.TypeName(nameValue))
	}
	if name == multicallName {
		return nil, abi.Faultf(abi.CodeInvalidRequest, "%s call %d: %s cannot be called recursively", multicallName, i, multicallName)
	}
	var args []any
	if p, present := s.Get("params"); present {
		if args, ok = p.([]any); !ok {
			return nil, abi.Faultf(abi.CodeInvalidParams, "%s call %d: params must be an array, got %s", multicallName, i, abi.TypeName(p))
		}
	}
	return h.Call(withValueResults(ctx), name, args) // measured as values by xmlSize
}

func getCapabilities(_ context.Context, params []any) (any, error) {
	if err := wantParams("system.getCapabilities", params, 0); err != nil {
		return nil, err
	}
	capability := func(url string, version int64) abi.Struct {
		return abi.Struct{{Name: "specUrl", Value: url}, {Name: "specVersion", Value: version}}
	}
	return abi.Struct{
		{Name: "xmlrpc", Value: capability("http://www.xmlrpc.com/spec", 1)},
		{Name: "system.multicall", Value: capability("http://www.xmlrpc.com/discuss/msgReader$1208", 1)},
		{Name: "introspection", Value: capability("http://phpxmlrpc.sourceforge.net/doc-2/ch10.html", 2)},
		{Name: "faults_interop", Value: capability("http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php", 20010516)},
		{Name: "nil", Value: capability("http://www.ontosys.com/xml-rpc/extensions.php", 1)},
	}, nil
}
