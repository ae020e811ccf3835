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
			help: "Uploads a module: plugins.upload(name, base64 wasm[, base64 signature]). name is the plugin name (\"up\" or \"up.wasm\"). The module is validated, written into the plugin directory and served at once. Needs the admin token. The signature is the content of the .sig file rpchost sign writes, required when deploy.trusted_keys is set. Returns the plugin as plugins.list shows it; its conflicts member lists the bare names it defines that another procedure keeps.",
			sigs: [][]string{{"struct", "string", "base64"}, {"struct", "string", "base64", "base64"}},
			fn:   h.rpcUpload,
		},
		"plugins.remove": {
			help: "Removes a plugin: deletes its file and stops serving its methods. Needs the admin token.",
			sigs: [][]string{{"boolean", "string"}},
			fn:   h.rpcRemove,
		},
		"plugins.list": {
			help: "Lists the loaded plugins: name, kind, methods, size, sha256, loaded time, version counter, live instances, and the bare names each defines but does not answer (conflicts). Then lists the files of the plugin directory that were refused: kind \"refused\", with the file, its size, the error and when.",
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
	var sig []byte
	if len(params) > 3 {
		return nil, abi.Faultf(abi.CodeInvalidParams, "plugins.upload takes 2 or 3 params (name, module, signature), got %d", len(params))
	}
	if len(params) == 3 { // the signature (trust.go)
		s, ok := params[2].([]byte)
		if !ok {
			return nil, abi.Faultf(abi.CodeInvalidParams, "plugins.upload param 3: want the module's signature as base64 (the bytes of its .sig file), got %s", abi.TypeName(params[2]))
		}
		sig, params = s, params[:2]
	}
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
	if err := h.admit(ctx, "upload", name); err != nil {
		return nil, err
	}
	info, err := h.UploadSigned(ctx, name, wasm, sig)
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
	if err := h.admit(ctx, "remove", name); err != nil {
		return nil, err
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
	plugins, refused := h.Plugins(), h.Refused()
	out := make([]any, 0, len(plugins)+len(refused))
	for _, p := range plugins {
		out = append(out, p.toStruct())
	}
	for _, r := range refused {
		out = append(out, abi.Struct{
			{Name: "name", Value: r.Name},
			{Name: "kind", Value: refusedKind},
			{Name: "file", Value: r.File},
			{Name: "size", Value: r.Size},
			{Name: "error", Value: r.Reason},
			{Name: "refused", Value: r.At.UTC()},
		})
	}
	return out, nil
}

// refusedKind marks a refused file among the plugins of a listing.
const refusedKind = "refused"

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
		{Name: "conflicts", Value: conflictsValue(p.Conflicts)},
	}
}

func conflictsValue(cs []Conflict) []any {
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = abi.Struct{{Name: "name", Value: c.Name}, {Name: "served_by", Value: c.ServedBy}, {Name: "pinned", Value: c.Pinned}}
	}
	return out
}
