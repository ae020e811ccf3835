package host

import (
	"fmt"
	"path"
	"strings"
)

// validatePaths checks http.xmlrpc_paths and http.jsonrpc_paths: each path
// starts with "/", holds no query or fragment (it is matched against the
// request's path alone), is served by one front end only, and leaves
// /plugins to administration.
func validatePaths(xmlPaths, jsonPaths []string) []error {
	var errs []error
	owner := map[string]string{}
	for _, list := range []struct {
		key   string
		paths []string
	}{{"http.xmlrpc_paths", xmlPaths}, {"http.jsonrpc_paths", jsonPaths}} {
		for _, p := range list.paths {
			switch {
			case !strings.HasPrefix(p, "/"):
				errs = append(errs, fmt.Errorf("%s: %q must start with \"/\": it is matched against a request's path", list.key, p))
			case path.Clean(p) != p:
				errs = append(errs, fmt.Errorf("%s: %q is not a clean path (%q): clients send the clean form, so it would never be matched", list.key, p, path.Clean(p)))
			case strings.ContainsAny(p, "?# \t\r\n"):
				errs = append(errs, fmt.Errorf("%s: %q holds a query, fragment or space; give the path alone", list.key, p))
			case p == "/plugins" || strings.HasPrefix(p, "/plugins/"):
				errs = append(errs, fmt.Errorf("%s: %q is plugin administration's (/plugins and below)", list.key, p))
			case p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, pageAssets):
				errs = append(errs, fmt.Errorf("%s: %q is the monitoring's or the page's own path", list.key, p))
			case owner[p] != "":
				errs = append(errs, fmt.Errorf("%s: %q is in %s already; a path is served by one front end", list.key, p, owner[p]))
			default:
				owner[p] = list.key
			}
		}
	}
	return errs
}
