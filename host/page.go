package host

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// pageAssets is where the page's stylesheet and script are served. A
// procedure path never starts with it (XML-RPC is served on fixed paths),
// and a method name cannot contain "_page/" as a path either.
const pageAssets = "/_page/"

// The page's static files, served as files of their own because the
// Content-Security-Policy forbids inline script and style.
//
//go:embed page/page.css page/page.js
var pageFiles embed.FS

// pageCSP lets the page load only its own stylesheet and script: help text
// comes from uploaded modules, and even if an escaping mistake let markup
// through, no inline script, event handler or foreign resource would run.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// servePage answers every request on an XML-RPC path that is not a POST
// (the XML-RPC front end takes those), and the page's static files.
//
// GET and HEAD get the page for people when the client accepts text/html
// (a browser), else a short text saying where the page, the API and the
// docs are: never a bare 405, which tells a person with curl nothing.
// Other methods get 405 with the methods the path takes.
func (h *Host) servePage(w http.ResponseWriter, r *http.Request) {
	asset := strings.HasPrefix(r.URL.Path, pageAssets)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		allow := "GET, HEAD, POST"
		if asset {
			allow = "GET, HEAD"
		}
		w.Header().Set("Allow", allow)
		http.Error(w, r.Method+" is not supported here; allowed: "+allow, http.StatusMethodNotAllowed)
		return
	}
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", pageCSP)
	hdr.Set("Referrer-Policy", "no-referrer")
	if asset {
		servePageAsset(w, r)
		return
	}
	hdr.Add("Vary", "Accept")
	hdr.Set("Cache-Control", "no-store") // the page shows what is loaded now
	if !acceptsHTML(r) {
		h.writePageText(w, r)
		return
	}
	// Built from the registry as it stands, within bounds (page_render.go).
	// Like an XML-RPC request, a page is not built while responses being
	// written hold the whole in-flight budget; at most pageBuilders pages
	// are built at once (each holds up to pageMemory meanwhile), and a
	// page's bytes are charged to the budget while they are sent, forcibly
	// as a response's are, so slow readers of pages make new requests
	// wait instead of holding unbounded memory. Reserving pageMemory from
	// the budget instead would let a few GETs hold back every POST.
	if err := h.inflight.admit(r.Context(), inflightWait); err != nil {
		pageBusy(w, err)
		return
	}
	b, err := h.buildPage(r)
	if err != nil {
		if errors.Is(err, errPageBusy) || r.Context().Err() != nil {
			pageBusy(w, err)
			return
		}
		h.logger.Error("the page cannot be rendered", "error", err.Error())
		http.Error(w, "the page cannot be rendered; see the server's log", http.StatusInternalServerError)
		return
	}
	held := charge(len(b))
	h.inflight.force(held)
	defer h.inflight.release(held)
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

// pageBuilders bounds the pages being built at once, in CPU (a page is a
// pass over every method name) and memory (pageMemory each).
const pageBuilders = 2

var errPageBusy = errors.New("the server is building other pages")

// buildPage builds the page for r when one of the page builders is free
// within inflightWait.
func (h *Host) buildPage(r *http.Request) ([]byte, error) {
	t := time.NewTimer(inflightWait)
	defer t.Stop()
	select {
	case h.pageSlots <- struct{}{}:
		defer func() { <-h.pageSlots }()
	case <-t.C:
		return nil, fmt.Errorf("%w (%d at a time); waited %v", errPageBusy, pageBuilders, inflightWait)
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	return renderPage(h.pageSnapshot(r), pageBudget)
}

func pageBusy(w http.ResponseWriter, err error) {
	w.Header().Set("Retry-After", "1")
	http.Error(w, "the server is busy: "+err.Error()+"; retry", http.StatusServiceUnavailable)
}

// writePageText is the answer to a client that does not want HTML.
func (h *Host) writePageText(w http.ResponseWriter, r *http.Request) {
	base := requestBase(r)
	jsonAPI := ""
	if paths := h.cfg.jsonrpcPaths; len(paths) > 0 {
		jsonAPI = "\n       JSON-RPC 2.0 (and 1.x) on POST " + base + paths[0] + "."
	}
	text := fmt.Sprintf(`rpchost: XML-RPC and JSON-RPC procedures compiled to WebAssembly.

API:   POST an XML-RPC methodCall to %[1]s%[2]s (system.listMethods lists the
       methods, system.methodHelp and system.methodSignature describe them).%[3]s
Page:  open %[1]s%[2]s in a browser, or: curl -H 'Accept: text/html' %[1]s%[2]s
CLI:   rpchost call --server %[1]s%[2]s system.listMethods
Docs:  rpchost --help, and README.md in the source (github.com/rpchost/rpchost).
`, base, r.URL.Path, jsonAPI)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("Content-Length", strconv.Itoa(len(text)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(text))
	}
}

// servePageAsset serves one embedded file; nothing else is under pageAssets.
func servePageAsset(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, pageAssets)
	b, err := fs.ReadFile(pageFiles, "page/"+name)
	if err != nil || strings.Contains(name, "/") {
		http.Error(w, "No such page", http.StatusNotFound)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	// The files change only with the binary; an hour saves a reload's requests.
	hdr.Set("Cache-Control", "public, max-age=3600")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

// acceptsHTML reports whether the client asked for HTML: browsers send
// Accept: text/html,…; curl sends */*, and gets text.
func acceptsHTML(r *http.Request) bool {
	for _, accept := range r.Header.Values("Accept") {
		for _, part := range strings.Split(accept, ",") {
			media, params, _ := strings.Cut(part, ";")
			media = strings.ToLower(strings.TrimSpace(media))
			if media != "text/html" && media != "application/xhtml+xml" {
				continue
			}
			if q, ok := acceptQ(params); !ok || q > 0 {
				return true
			}
		}
	}
	return false
}

// acceptQ reads the q parameter of one Accept entry; ok is false without one.
func acceptQ(params string) (float64, bool) {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, true // an unreadable weight is no consent
			}
			return q, true
		}
	}
	return 0, false
}

// requestBase is the scheme and host the client used, for the examples.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "127.0.0.1:8088"
	}
	return scheme + "://" + host
}
