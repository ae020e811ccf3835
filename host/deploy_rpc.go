package host

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/rpchost/rpchost/abi"
)

// registerDeploy adds plugins.history and plugins.rollback.
func (h *Host) registerDeploy() error {
	return errors.Join(
		h.registry.RegisterBuiltin("plugins.history", &builtin{
			help: "Lists a plugin's version log, newest first: plugins.history(name). Each entry: version, sha256, size, action (upload, remove, rollback), by (the caller, \"admin token\" or \"in-process\"), from (the replica), at, and signed (whether a signature is kept with the module). At most deploy.keep_versions entries are kept. Needs the admin token.",
			sigs: [][]string{{"array", "string"}},
			fn:   h.rpcHistory,
		}),
		h.registry.RegisterBuiltin("plugins.rollback", &builtin{
			help: "Serves an earlier version of a plugin again: plugins.rollback(name[, version]). Without a version, the latest earlier one whose module differs from the one served. Recorded as a new version (action rollback), on every replica when plugins are distributed (deploy.dsn). Needs the admin token. Returns the new entry of the version log.",
			sigs: [][]string{{"struct", "string"}, {"struct", "string", "int"}},
			fn:   h.rpcRollback,
		}),
	)
}

func (h *Host) rpcHistory(ctx context.Context, params []any) (any, error) {
	if err := wantParams("plugins.history", params, 1); err != nil {
		return nil, err
	}
	name, ok := params[0].(string)
	if !ok {
		return nil, abi.Faultf(abi.CodeInvalidParams, "plugins.history param 1: want the plugin name (string), got %s", abi.TypeName(params[0]))
	}
	if err := h.admit(ctx, "history", name); err != nil {
		return nil, err
	}
	hist, err := h.History(ctx, name)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(hist))
	for i, d := range hist {
		out[i] = d.toStruct()
	}
	return out, nil
}

func (h *Host) rpcRollback(ctx context.Context, params []any) (any, error) {
	if len(params) != 1 && len(params) != 2 {
		return nil, abi.Faultf(abi.CodeInvalidParams, "plugins.rollback takes the plugin name and, optionally, a version; got %d params", len(params))
	}
	name, ok := params[0].(string)
	if !ok {
		return nil, abi.Faultf(abi.CodeInvalidParams, "plugins.rollback param 1: want the plugin name (string), got %s", abi.TypeName(params[0]))
	}
	var version int64
	if len(params) == 2 {
		v, ok := params[1].(int64)
		if !ok || v < 1 {
			return nil, abi.Faultf(abi.CodeInvalidParams, "plugins.rollback param 2: want a version number (int, at least 1), got %v", params[1])
		}
		version = v
	}
	if err := h.admit(ctx, "rollback", name); err != nil {
		return nil, err
	}
	d, err := h.Rollback(ctx, name, version)
	if err != nil {
		return nil, err
	}
	return d.toStruct(), nil
}

func (d Deployment) toStruct() abi.Struct {
	return abi.Struct{
		{Name: "version", Value: d.Version},
		{Name: "sha256", Value: d.SHA256},
		{Name: "size", Value: d.Size},
		{Name: "action", Value: d.Action},
		{Name: "by", Value: d.By},
		{Name: "from", Value: d.From},
		{Name: "at", Value: d.At.UTC()},
		{Name: "signed", Value: d.Signed},
	}
}

// deploymentJSON is an entry of the version log as the HTTP routes show it.
type deploymentJSON struct {
	Version int64  `json:"version"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	Action  string `json:"action"`
	By      string `json:"by"`
	From    string `json:"from"`
	At      string `json:"at"`
	Signed  bool   `json:"signed"`
}

func (d Deployment) toJSON() deploymentJSON {
	return deploymentJSON{Version: d.Version, SHA256: d.SHA256, Size: d.Size, Action: d.Action, By: d.By, From: d.From, At: d.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Signed: d.Signed}
}

// serveDeployRoute answers GET /plugins/<name>/history and
// POST /plugins/<name>/rollback[?version=N]; it reports false for any
// other path, which servePlugins answers.
func (h *Host) serveDeployRoute(w http.ResponseWriter, r *http.Request, rest string) bool {
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return false
	}
	name, what := rest[:i], rest[i+1:] // the name is checked as any other: "../up" is refused
	if what != "history" && what != "rollback" {
		return false
	}
	ctx := withToken(r.Context(), r)
	method := http.MethodGet
	if what == "rollback" {
		method = http.MethodPost
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		http.Error(w, "/plugins/<name>/"+what+" takes "+method, http.StatusMethodNotAllowed)
		return true
	}
	if err := h.admit(ctx, what, name); err != nil {
		h.adminError(w, err)
		return true
	}
	if what == "history" {
		hist, err := h.History(ctx, name)
		if err != nil {
			h.adminError(w, err)
			return true
		}
		out := make([]deploymentJSON, len(hist))
		for i, d := range hist {
			out[i] = d.toJSON()
		}
		writeJSON(w, http.StatusOK, out)
		return true
	}
	var version int64
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "version: want a version number, at least 1"})
			return true
		}
		version = n
	}
	d, err := h.Rollback(ctx, name, version)
	if err != nil {
		h.adminError(w, err)
		return true
	}
	writeJSON(w, http.StatusOK, d.toJSON())
	return true
}
