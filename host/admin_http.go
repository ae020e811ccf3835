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
		writeJSON(w, http.StatusOK, h.pluginsJSON())
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/plugins/")
	switch r.Method {
	case http.MethodPut:
		if r.ContentLength > h.cfg.maxUploadBytes {
			h.adminError(w, fmt.Errorf("%w: %d bytes, the limit is %d (admin.max_upload_bytes)", ErrUploadTooLarge, r.ContentLength, h.cfg.maxUploadBytes))
			return
		}
		if err := h.authorize(ctx); err != nil { // before reading a body that would be thrown away
			h.adminError(w, err)
			return
		}
		wasm, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxUploadBytes))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.adminError(w, fmt.Errorf("%w: over %d bytes (admin.max_upload_bytes)", ErrUploadTooLarge, h.cfg.maxUploadBytes))
			return
		}
		if err != nil {
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
	if status == http.StatusInternalServerError {
		h.logger.Error("plugin administration failed", "error", err.Error())
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func (h *Host) pluginsJSON() []pluginJSON {
	plugins := h.Plugins()
	out := make([]pluginJSON, len(plugins))
	for i, p := range plugins {
		out[i] = toJSON(p)
	}
	return out
}

func toJSON(p PluginInfo) pluginJSON {
	return pluginJSON{Name: p.Name, Kind: p.Kind, Methods: p.Methods, Size: p.Size, SHA256: p.SHA256,
		Loaded: p.LoadedAt.UTC(), Version: p.Version, Instances: p.Instances}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
