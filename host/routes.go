package host

import (
	"net/http"
	"strings"
)

// Handler answers XML-RPC on POST / and /RPC2, like Python's server, and
// plugin administration on /plugins; every other path is 404.
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
	case r.Method != http.MethodPost && (path == "/" || path == "/RPC2") || strings.HasPrefix(path, pageAssets):
		h.servePage(w, r) // the page for people, or where to find it
	case path == "/" || path == "/RPC2":
		h.serveXMLRPC(w, r)
	default:
		http.Error(w, "No such page", http.StatusNotFound)
	}
}
