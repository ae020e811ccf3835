package host

import (
	"net/http"
	"slices"
	"strings"
)

// Handler answers XML-RPC on POST / and /RPC2, like Python's server,
// JSON-RPC on POST /jsonrpc (both lists of paths are configuration:
// WithXMLRPCPaths, WithJSONRPCPaths), the page for people on GET of the
// XML-RPC paths, plugin administration on /plugins, /healthz, /readyz and
// (unless WithMetricsRoute(false)) /metrics; every other path is 404.
func (h *Host) Handler() http.Handler {
	return h.counted(h.route)
}

// route sends a request to its front end. Every front end decodes its
// wire format, runs procedures through Call (one dispatcher: the same
// limits, faults, multicall and introspection), and encodes the answer.
// Each case names its front end (frontEndIs) for the HTTP metrics.
func (h *Host) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/plugins" || strings.HasPrefix(path, "/plugins/"):
		frontEndIs(w, FrontEndAdmin)
		h.servePlugins(w, r)
	case path == "/healthz" || path == "/readyz":
		frontEndIs(w, FrontEndHealth)
		h.serveHealth(w, r)
	case path == "/metrics" && h.cfg.metricsRoute:
		frontEndIs(w, FrontEndMetrics)
		h.serveMetrics(w, r)
	case r.Method != http.MethodPost && slices.Contains(h.cfg.xmlrpcPaths, path) || strings.HasPrefix(path, pageAssets):
		frontEndIs(w, FrontEndPage)
		h.servePage(w, r) // the page for people, or where to find it
	case slices.Contains(h.cfg.xmlrpcPaths, path):
		frontEndIs(w, FrontEndXMLRPC)
		h.serveXMLRPC(w, r)
	case slices.Contains(h.cfg.jsonrpcPaths, path):
		frontEndIs(w, FrontEndJSONRPC)
		h.serveJSONRPC(w, r)
	default:
		http.Error(w, "No such page", http.StatusNotFound)
	}
}
