package host

import (
	"net/http"
	"slices"
	"strings"
)

// Handler answers XML-RPC on POST / and /RPC2, like Python's server,
// JSON-RPC on POST /jsonrpc (both lists of paths are configuration:
// WithXMLRPCPaths, WithJSONRPCPaths), and plugin administration on
// /plugins; every other path is 404.
func (h *Host) Handler() http.Handler {
	return http.HandlerFunc(h.route)
}

// route sends a request to its front end. Every front end decodes its
// wire format, runs procedures through Call (one dispatcher: the same
// limits, faults, multicall and introspection), and encodes the answer.
func (h *Host) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/plugins" || strings.HasPrefix(path, "/plugins/"):
		h.servePlugins(w, r)
	case r.Method != http.MethodPost && slices.Contains(h.cfg.xmlrpcPaths, path) || strings.HasPrefix(path, pageAssets):
		h.servePage(w, r) // the page for people, or where to find it
	case slices.Contains(h.cfg.xmlrpcPaths, path):
		h.serveXMLRPC(w, r)
	case slices.Contains(h.cfg.jsonrpcPaths, path):
		h.serveJSONRPC(w, r)
	default:
		http.Error(w, "No such page", http.StatusNotFound)
	}
}
