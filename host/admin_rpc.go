package host

import (
	"context"
	"errors"

	"github.com/rpchost/rpchost/abi"
)

// registerAdmin adds the plugins.* procedures: the same operations as the
// /plugins HTTP routes, for clients that only speak XML-RPC.
func (h *Host) registerAdmin() error {
	methods := map[string]*builtin{
		"plugins.upload": {
			help: "Uploads a module: plugins.upload(name, base64 wasm). name is the plugin name (\"up\" or \"up.wasm\"). The module is validated, written into the plugin directory and served at once. Needs the admin token.",
			sigs: [][]string{{"struct", "string", "base64"}},
			fn:   h.rpcUpload,
		},
		"plugins.remove": {
			help: "Removes a plugin: deletes its file and stops serving its methods. Needs the admin token.",
			sigs: [][]string{{"boolean", "string"}},
			fn:   h.rpcRemove,
		},
		"plugins.list": {
			help: "Lists the loaded plugins: name, kind, methods, size, sha256, loaded time, version counter, live instances.",
			sigs: [][]string{{"array"}},
			fn:   h.rpcList,
		},
	}
	var errs []error
	for name, m := range methods {
		errs = append(errs, h.registry.RegisterBuiltin(name, m))
	}
	return errors.Join(errs...)
}

func (h *Host) rpcUpload(ctx context.Context, params []any) (any, error) {
	if err := wantParams("plugins.upload", params, 2); err != nil {
		return nil, err
	}
	name, ok := params[0].(string)
	if !ok {
		return nil, abi.Faultf(abi.CodeInvalidParams, "plugins.upload param 1: want the plugin name (string), got %s", abi.TypeName(params[0]))
	}
	wasm, ok := params[1].([]byte)
	if !ok {
		return nil, abi.Faultf(abi.CodeInvalidParams, "plugins.upload param 2: want the module as base64, got %s", abi.TypeName(params[1]))
	}
	info, err := h.Upload(ctx, name, wasm)
	if err != nil {
		return nil, err
	}
	return info.toStruct(), nil
}

func (h *Host) rpcRemove(ctx context.Context, params []any) (any, error) {
	if err := wantParams("plugins.remove", params, 1); err != nil {
		return nil, err
	}
	name, ok := params[0].(string)
	if !ok {
		return nil, abi.Faultf(abi.CodeInvalidParams, "plugins.remove param 1: want the plugin name (string), got %s", abi.TypeName(params[0]))
	}
	if err := h.Remove(ctx, name); err != nil {
		return nil, err
	}
	return true, nil
}

func (h *Host) rpcList(_ context.Context, params []any) (any, error) {
	if err := wantParams("plugins.list", params, 0); err != nil {
		return nil, err
	}
	plugins := h.Plugins()
	out := make([]any, len(plugins))
	for i, p := range plugins {
		out[i] = p.toStruct()
	}
	return out, nil
}

func (p PluginInfo) toStruct() abi.Struct {
	methods := make([]any, len(p.Methods))
	for i, m := range p.Methods {
		methods[i] = m
	}
	return abi.Struct{
		{Name: "name", Value: p.Name},
		{Name: "kind", Value: p.Kind},
		{Name: "methods", Value: methods},
		{Name: "size", Value: int64(p.Size)},
		{Name: "sha256", Value: p.SHA256},
		{Name: "loaded", Value: p.LoadedAt.UTC()},
		{Name: "version", Value: int64(p.Version)},
		{Name: "instances", Value: int64(p.Instances)},
	}
}
