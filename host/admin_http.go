package host

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// pluginJSON is a plugin as GET /plugins lists it.
type pluginJSON struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Methods   []string  `json:"methods"`
	Size      int       `json:"size"`
	SHA256    string    `json:"sha256"`
	Loaded    time.Time `json:"loaded"`
	Version   int       `json:"version"`
	Instances int       `json:"instances"`
	// Conflicts: bare names this plugin defines that another procedure answers.
	Conflicts []conflictJSON `json:"conflicts"`
}

type conflictJSON struct {
	Name     string `json:"name"`
	ServedBy string `json:"served_by"`
	Pinned   bool   `json:"pinned"`
}

// refusedJSON is a refused file as GET /plugins lists it, after the plugins.
type refusedJSON struct {
	Name    string    `json:"name"`
	Kind    string    `json:"kind"` // always "refused"
	File    string    `json:"file"`
	Size    int64     `json:"size"`
	Error   string    `json:"error"`
	Refused time.Time `json:"refused"`
}

// servePlugins answers the plain-HTTP administration routes, for scripts:
// GET /plugins, PUT /plugins/<name>.wasm (the module as the body) and
// DELETE /plugins/<name>.wasm.
func (h *Host) servePlugins(w http.ResponseWriter, r *http.Request) {
	ctx := withToken(r.Context(), r)
	if r.URL.Path == "/plugins" || r.URL.Path == "/plugins/" {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "GET /plugins lists plugins; PUT or DELETE /plugins/<name>.wasm changes one", http.StatusMethodNotAllowed)
			return
		}
		// The listing is plugins.list's, and needs what plugins.list needs (auth.*).
		if _, err := h.admitCall(withFrontEnd(ctx, FrontEndXMLRPC), "plugins.list"); err != nil {
			http.Error(w, err.Error(), callStatusOr(err, w.Header(), http.StatusForbidden))
			return
		}
		writeJSON(w, http.StatusOK, h.pluginsJSON())
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/plugins/")
	if h.serveDeployRoute(w, r, name) { // /plugins/<name>/history and /rollback (deploy_rpc.go)
		return
	}
	switch r.Method {
	case http.MethodPut:
		if r.ContentLength > h.cfg.maxUploadBytes {
			err := fmt.Errorf("%w: %d bytes, the limit is %d (admin.max_upload_bytes)", ErrUploadTooLarge, r.ContentLength, h.cfg.maxUploadBytes)
			h.audit(ctx, "upload", name, nil, err)
			h.adminError(w, err)
			return
		}
		if err := h.admit(ctx, "upload", name); err != nil { // before reading a body that would be thrown away
			h.adminError(w, err)
			return
		}
		wasm, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxUploadBytes))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			err = fmt.Errorf("%w: over %d bytes (admin.max_upload_bytes)", ErrUploadTooLarge, h.cfg.maxUploadBytes)
			h.audit(ctx, "upload", name, nil, err)
			h.adminError(w, err)
			return
		}
		if err != nil {
			h.audit(ctx, "upload", name, nil, fmt.Errorf("reading the module: %w", err))
			http.Error(w, "reading the module: "+err.Error(), http.StatusBadRequest)
			return
		}
		info, err := h.Upload(ctx, name, wasm)
		if err != nil {
			h.adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, toJSON(info))
	case http.MethodDelete:
		if err := h.admit(ctx, "remove", name); err != nil {
			h.adminError(w, err)
			return
		}
		if err := h.Remove(ctx, name); err != nil {
			h.adminError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "PUT, DELETE")
		http.Error(w, "PUT uploads a module, DELETE removes it", http.StatusMethodNotAllowed)
	}
}

// adminStatus maps administration errors to HTTP statuses.
var adminStatus = []struct {
	err    error
	status int
}{
	{ErrAdminDisabled, http.StatusForbidden},
	{ErrUnauthorized, http.StatusUnauthorized},
	{ErrBadPluginName, http.StatusBadRequest},
	{ErrUploadTooLarge, http.StatusRequestEntityTooLarge},
	{ErrInvalidModule, http.StatusUnprocessableEntity},
	{ErrNoSuchPlugin, http.StatusNotFound},
	{ErrNoSuchVersion, http.StatusConflict},
	{ErrDeployUnavailable, http.StatusServiceUnavailable},
	{ErrClosed, http.StatusServiceUnavailable},
}

func (h *Host) adminError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	for _, as := range adminStatus {
		if errors.Is(err, as.err) {
			status = as.status
			break
		}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rpchost"`)
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// pluginsJSON lists the loaded plugins, then the refused files (kind
// "refused", with the error), so one listing shows why a file is not served.
func (h *Host) pluginsJSON() []any {
	plugins, refused := h.Plugins(), h.Refused()
	out := make([]any, 0, len(plugins)+len(refused))
	for _, p := range plugins {
		out = append(out, toJSON(p))
	}
	for _, r := range refused {
		out = append(out, refusedJSON{Name: r.Name, Kind: refusedKind, File: r.File, Size: r.Size, Error: r.Reason, Refused: r.At.UTC()})
	}
	return out
}

func toJSON(p PluginInfo) pluginJSON {
	conflicts := make([]conflictJSON, len(p.Conflicts))
	for i, c := range p.Conflicts {
		conflicts[i] = conflictJSON(c)
	}
	return pluginJSON{Name: p.Name, Kind: p.Kind, Methods: p.Methods, Size: p.Size, SHA256: p.SHA256,
		Loaded: p.LoadedAt.UTC(), Version: p.Version, Instances: p.Instances, Conflicts: conflicts}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
