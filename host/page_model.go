package host

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// pageHelpBytes bounds the help one method shows on the page; the manifest
// allows 16 KiB (internal/plugin/manifest.go), which system.methodHelp
// still gives in full.
const pageHelpBytes = 4 << 10

// pageMaxPlugins and pageMaxMethods bound what one request builds, before
// rendering bounds the bytes (pageBudget): the rest are counted, not
// built, and the page says how many it leaves out and that the search box
// narrows the list (?q= is searched by the server).
const (
	pageMaxPlugins = 1000
	pageMaxMethods = 2000
)

// pageData is what the page shows: the registry as it stands when the
// request arrives, read through the same entries as system.methodHelp and
// system.methodSignature, so the page and introspection never disagree.
type pageData struct {
	Base     string // scheme://host the client used
	Endpoint string // base + the XML-RPC path the page was asked on
	Query    string // the search box's text (?q=), "" for all
	Plugins  []pagePlugin
	Methods  []pageMethod // the first of those matching Query, by name
	Matched  int          // methods matching Query, shown or not
	Total    int          // methods served, Query or not
	// MorePlugins are the plugins loaded but not listed (pageMaxPlugins).
	MorePlugins int
	// Refused are the files of the plugin directory not served, and why
	// (page_refused.go).
	Refused []pageRefused
}

type pagePlugin struct {
	Name, Kind, SHA256 string // SHA256: the first 12 hex digits, as a person compares them
	Version, Methods   int
	LoadedAt           string
}

type pageMethod struct {
	Name              string   // qualified name, or a built-in's name
	Plugin            string   // "" for a built-in
	Bare              []string // bare names (and aliases) that answer with this method
	Signatures        []string // "int add.add(int, int)"
	Help              string
	HelpTruncated     bool
	Python, Curl, CLI string
}

// pageSnapshot reads the plugins and methods served now, keeping the
// methods whose name, bare names, plugin or help contain ?q= (any case).
func (h *Host) pageSnapshot(r *http.Request) pageData {
	base := requestBase(r)
	d := pageData{Base: base, Endpoint: base + r.URL.Path, Query: r.URL.Query().Get("q")}
	// A search is a few words; the cut bounds the work per method.
	d.Query, _ = truncateUTF8(d.Query, 200)
	plugins := h.Plugins()
	if len(plugins) > pageMaxPlugins {
		d.MorePlugins = len(plugins) - pageMaxPlugins
		plugins = plugins[:pageMaxPlugins]
	}
	// A caller sees only what it may call (auth.*), as system.listMethods.
	ctx := withFrontEnd(withToken(r.Context(), r), FrontEndPage)
	for _, p := range plugins {
		if !h.mayCallAnyOf(ctx, p) {
			continue
		}
		sum := p.SHA256
		if len(sum) > 12 {
			sum = sum[:12]
		}
		d.Plugins = append(d.Plugins, pagePlugin{Name: p.Name, Kind: p.Kind, SHA256: sum, Version: p.Version,
			Methods: len(p.Methods), LoadedAt: p.LoadedAt.UTC().Format(time.DateTime + " UTC")})
	}
	d.Refused = h.pageRefusedFiles(ctx)
	names := h.registry.Names()   // sorted
	bare := map[string][]string{} // qualified name → the bare names that stand for it
	for _, name := range names {
		if e, ok := h.registry.Lookup(name); ok && e.IsAlias() {
			bare[e.Target] = append(bare[e.Target], name)
		}
	}
	q := strings.ToLower(d.Query)
	for _, name := range names {
		e, ok := h.registry.Lookup(name)
		if !ok || e.IsAlias() {
			continue // gone since Names, or listed under its target
		}
		if !h.mayCall(ctx, name) {
			continue
		}
		d.Total++
		help, truncated := truncateUTF8(e.Method.Help(), pageHelpBytes) // the search sees what is shown
		if q != "" && !pageMatches(q, name, e.Plugin, help, bare[name]) {
			continue
		}
		d.Matched++
		if len(d.Methods) == pageMaxMethods {
			continue
		}
		m := pageMethod{Name: name, Plugin: e.Plugin, Bare: bare[name], Help: help, HelpTruncated: truncated}
		sigs := e.Method.Signatures()
		for _, sig := range sigs {
			if len(sig) > 0 {
				m.Signatures = append(m.Signatures, sig[0]+" "+name+"("+strings.Join(sig[1:], ", ")+")")
			}
		}
		var params []string // the first signature's, for the examples
		if len(sigs) > 0 && len(sigs[0]) > 0 {
			params = sigs[0][1:]
		}
		m.Python, m.Curl, m.CLI = examples(d.Endpoint, name, params)
		d.Methods = append(d.Methods, m)
	}
	return d
}

func pageMatches(q, name, plugin, help string, bare []string) bool {
	if strings.Contains(strings.ToLower(name), q) || strings.Contains(strings.ToLower(plugin), q) ||
		strings.Contains(strings.ToLower(help), q) {
		return true
	}
	for _, b := range bare {
		if strings.Contains(strings.ToLower(b), q) {
			return true
		}
	}
	return false
}

// truncateUTF8 cuts s to at most n bytes, on a character boundary.
func truncateUTF8(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// mayCallAnyOf reports whether the caller of ctx may call one of p's
// methods: a plugin it may call nothing of is not shown to it.
func (h *Host) mayCallAnyOf(ctx context.Context, p PluginInfo) bool {
	for _, m := range p.Methods {
		if h.mayCall(ctx, p.Name+"."+m) {
			return true
		}
	}
	return false
}
