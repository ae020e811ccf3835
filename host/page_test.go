package host

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/testutil"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// hostileHelp is the help of testdata/hostile_help.wat's method: markup
// that would run if the page wrote it unescaped.
const hostileHelp = `<script>document.title="pwned";window.pwned=1</script>` +
	`<img src=x onerror="document.title='pwned';window.pwned=2">` +
	`</pre><b id="injected">injected</b>`

// pageServer serves calc.wasm and hostile_help.wasm.
func pageServer(t *testing.T) *httptest.Server {
	t.Helper()
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc"), "hostile_help.wasm": fixture(t, "hostile_help")})
	if e, ok := h.registry.Lookup("hostile_help.steal"); !ok || e.Method.Help() != hostileHelp {
		t.Fatalf("hostile_help.steal is not served with the hostile help")
	}
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, method, url, accept string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

func TestPageForABrowser(t *testing.T) {
	srv := pageServer(t)
	for _, path := range []string{"/", "/RPC2"} {
		resp, body := get(t, http.MethodGet, srv.URL+path, browserAccept)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") ||
			strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: Content-Security-Policy %q is not strict", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", path)
		}
		for _, want := range []string{
			"<code>calc</code>",             // the plugin table
			"int calc.add32(int, int)",      // a signature
			`<code class="bare">add</code>`, // its bare name
			`served by plugin <code class="plugin">calc</code>`,
			"string system.methodHelp(string)", // built-ins are listed too
			"string hostile_help.steal()",
			"s.calc.add32(1, 2)", // Python
			"&lt;methodName&gt;calc.add32&lt;/methodName&gt;&lt;params&gt;&lt;param&gt;&lt;value&gt;&lt;int&gt;1&lt;/int&gt;", // curl's XML, escaped
			"rpchost call --server " + srv.URL + path + " calc.add32 1 2",
			"i8 calc.add(i8, i8)", // i64 params are i8
			`<script src="/_page/page.js" defer></script>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s: the page lacks %q", path, want)
			}
		}
	}
}

func TestPageEscapesHelp(t *testing.T) {
	srv := pageServer(t)
	_, body := get(t, http.MethodGet, srv.URL+"/", "text/html")
	for _, bad := range []string{"<script>document", "<img", "onerror=\"", "<b id", "</pre><b"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	if want := template.HTMLEscapeString(hostileHelp); !strings.Contains(body, `<pre class="help">`+want+"</pre>") {
		t.Errorf("the hostile help is not shown escaped as %q", want)
	}
	if n := strings.Count(body, "<script"); n != 1 {
		t.Errorf("the page has %d script elements, want 1 (page.js)", n)
	}
}

func TestPageTextForCurl(t *testing.T) {
	srv := pageServer(t)
	for _, accept := range []string{"", "*/*", "application/json", "text/html;q=0"} {
		resp, body := get(t, http.MethodGet, srv.URL+"/", accept)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("Accept %q: %d %s, want 200 text/plain", accept, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"POST an XML-RPC methodCall to " + srv.URL + "/", "Page:", "Docs:", "system.listMethods"} {
			if !strings.Contains(body, want) {
				t.Errorf("Accept %q: the text lacks %q:\n%s", accept, want, body)
			}
		}
	}
}

func TestPageHeadAndOtherMethods(t *testing.T) {
	srv := pageServer(t)
	for _, accept := range []string{"text/html", ""} {
		resp, body := get(t, http.MethodHead, srv.URL+"/", accept)
		if resp.StatusCode != http.StatusOK || body != "" || resp.ContentLength <= 0 {
			t.Errorf("HEAD / (Accept %q): %d, %d bytes, Content-Length %d; want 200, none, the GET's length", accept, resp.StatusCode, len(body), resp.ContentLength)
		}
	}
	for _, path := range []string{"/", "/RPC2"} {
		for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			resp, _ := get(t, method, srv.URL+path, "text/html")
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD, POST" {
				t.Errorf("%s %s: %d Allow=%q, want 405 Allow=GET, HEAD, POST", method, path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	}
	if resp, _ := get(t, http.MethodPost, srv.URL+"/_page/page.js", ""); resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /_page/page.js: %d Allow=%q, want 405 Allow=GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// POST still calls procedures.
	if resp := post(t, srv, "/", []byte(addCall)); resp.StatusCode != http.StatusOK {
		t.Errorf("POST /: %d", resp.StatusCode)
	}
}

func TestPageAssets(t *testing.T) {
	srv := pageServer(t)
	for path, ctype := range map[string]string{"/_page/page.js": "text/javascript", "/_page/page.css": "text/css"} {
		resp, body := get(t, http.MethodGet, srv.URL+path, "")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) || len(body) == 0 ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: %d %q nosniff=%q, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Content-Type-Options"), len(body))
		}
	}
	for _, path := range []string{"/_page/page.html", "/_page/", "/_page/../page/page.js", "/_page/x/page.js", "/_page/nothing.js"} {
		if resp, _ := get(t, http.MethodGet, srv.URL+path, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestPageSearchOnTheServer(t *testing.T) {
	srv := pageServer(t)
	_, body := get(t, http.MethodGet, srv.URL+"/?q=HALVE", "text/html")
	if !strings.Contains(body, `id="m-calc.halve"`) || strings.Contains(body, `id="m-calc.add"`) {
		t.Errorf("?q=HALVE does not keep calc.halve alone")
	}
	if !strings.Contains(body, `value="HALVE"`) {
		t.Errorf("?q=HALVE is not in the search box")
	}
	_, body = get(t, http.MethodGet, srv.URL+`/?q="><script>x</script>`, "text/html")
	if strings.Contains(body, "<script>x") {
		t.Errorf("the query is written unescaped")
	}
}

// TestPageIsBounded renders a registry far larger than anyone loads — a
// thousand plugins of ten methods with the longest help a manifest allows,
// all characters that grow when escaped — and checks that the page stays
// within its bound, says what it leaves out, and is quick to build.
func TestPageIsBounded(t *testing.T) {
	const plugins, perPlugin = 1000, 10
	help := strings.Repeat(`<"&'>`, 16<<10/5) // 16 KiB, the manifest's limit per method
	sig := []string{"struct"}
	for i := 0; i < 63; i++ {
		sig = append(sig, "dateTime.iso8601")
	}
	sigs := make([][]string, 64) // the manifest's limits: 64 signatures of 64 types
	for i := range sigs {
		sigs[i] = sig
	}
	d := pageData{Base: "http://h", Endpoint: "http://h/"}
	for p := 0; p < plugins; p++ {
		name := fmt.Sprintf("plugin%04d%s", p, strings.Repeat("x", 200))
		d.Plugins = append(d.Plugins, pagePlugin{Name: name, Kind: "sdk", SHA256: "0123456789ab", Version: 1, Methods: perPlugin, LoadedAt: "2026-01-02 03:04:05 UTC"})
		for m := 0; m < perPlugin; m++ {
			d.Total++
			d.Matched++
			if len(d.Methods) == pageMaxMethods {
				continue
			}
			method := fmt.Sprintf("%s.method%d", name, m)
			pm := pageMethod{Name: method, Plugin: name, Bare: []string{fmt.Sprintf("method%d", m)}}
			pm.Help, pm.HelpTruncated = truncateUTF8(help, pageHelpBytes)
			for _, s := range sigs {
				pm.Signatures = append(pm.Signatures, s[0]+" "+method+"("+strings.Join(s[1:], ", ")+")")
			}
			pm.Python, pm.Curl, pm.CLI = examples(d.Endpoint, method, sig[1:])
			d.Methods = append(d.Methods, pm)
		}
	}
	start := time.Now()
	b, err := renderPage(d, pageBudget)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	const bound = pageBudget + 1<<20 // a section, the plugin table and the frame
	t.Logf("%d plugins, %d methods: a page of %d KiB (bound %d KiB), rendered in %v", plugins, plugins*perPlugin, len(b)>>10, bound>>10, took)
	if len(b) > bound {
		t.Errorf("the page is %d bytes, over its bound of %d", len(b), bound)
	}
	if !strings.Contains(string(b), "more methods are not shown") {
		t.Errorf("the page does not say that methods are left out")
	}
	if took > 20*time.Second {
		t.Errorf("rendering took %v", took)
	}
}

// TestPageSnapshotIsBounded serves more methods than a page builds, each
// with help longer than a page shows, through a real host and its registry.
func TestPageSnapshotIsBounded(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	long := strings.Repeat("<help>", 16<<10/6)
	const extra = pageMaxMethods + 500
	for i := 0; i < extra; i++ {
		if err := h.registry.RegisterBuiltin(fmt.Sprintf("many.m%05d", i), &builtin{help: long, sigs: [][]string{{"string", "struct"}}}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	start := time.Now()
	resp, body := get(t, http.MethodGet, srv.URL+"/", "text/html")
	took := time.Since(start)
	shown := strings.Count(body, `<article class="method"`)
	var total int
	if _, err := fmt.Sscanf(body[strings.Index(body, `<span id="count"`):], `<span id="count" aria-live="polite">%d of %d methods`, new(int), &total); err != nil || total < extra {
		t.Fatalf("the count says %d methods (%v), want more than %d", total, err, extra)
	}
	t.Logf("%d methods served: the page shows %d in %d KiB, built and sent in %v", total, shown, len(body)>>10, took)
	if resp.StatusCode != http.StatusOK || len(body) > pageBudget+1<<20 {
		t.Errorf("GET /: %d, %d bytes; want 200 and at most %d", resp.StatusCode, len(body), pageBudget+1<<20)
	}
	if shown == 0 || shown >= extra || !strings.Contains(body, fmt.Sprintf("%d more methods are not shown", total-shown)) {
		t.Errorf("the page shows %d methods and does not say how many it leaves out", shown)
	}
	if strings.Count(body, "system.methodHelp</code> gives all of it") != shown-countShort(body) {
		t.Errorf("help longer than %d bytes is not marked as cut", pageHelpBytes)
	}
	// The server searches every method, shown or not.
	_, body = get(t, http.MethodGet, srv.URL+fmt.Sprintf("/?q=many.m%05d", extra-1), "text/html")
	if !strings.Contains(body, fmt.Sprintf(`id="m-many.m%05d"`, extra-1)) || !strings.Contains(body, "1 of ") {
		t.Errorf("?q= does not find a method the full page leaves out")
	}
}

// countShort counts the sections of methods whose help is not cut (the
// built-ins and calc's, before many.*).
func countShort(body string) int {
	n := 0
	for _, section := range strings.Split(body, `<article class="method"`)[1:] {
		if !strings.Contains(section, "[…]") {
			n++
		}
	}
	return n
}

// TestPageBuildersAreBounded: while every page builder is busy, a request
// for the page waits, then gets 503, and XML-RPC calls are not held back.
func TestPageBuildersAreBounded(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	for i := 0; i < pageBuilders; i++ {
		h.pageSlots <- struct{}{}
	}
	resp, body := get(t, http.MethodGet, srv.URL+"/", "text/html")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "building other pages") {
		t.Errorf("GET / with every builder busy: %d %q, want 503 with Retry-After", resp.StatusCode, body)
	}
	if resp := post(t, srv, "/", []byte(addCall)); resp.StatusCode != http.StatusOK {
		t.Errorf("POST / with every page builder busy: %d", resp.StatusCode)
	}
	if resp, _ := get(t, http.MethodGet, srv.URL+"/", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("the text answer waits for page builders: %d", resp.StatusCode)
	}
	<-h.pageSlots
	if resp, _ := get(t, http.MethodGet, srv.URL+"/", "text/html"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET / with a builder free: %d", resp.StatusCode)
	}
}

// TestPageExampleValuesHaveTheirTypes: the sample value of every type, as
// the curl example writes it and as Python sends the Python example's,
// reaches the server as that type.
func TestPageExampleValuesHaveTheirTypes(t *testing.T) {
	python := testutil.RequireTool(t, "python3")
	want := func(typ string) string {
		if typ == "i8" {
			return "int" // a small i8 is an int once read
		}
		return typ
	}
	for _, typ := range abi.TypeNames {
		_, curl, _ := examples("http://h/", "m", []string{typ, typ})
		body := curl[strings.Index(curl, "'<?xml")+1 : len(curl)-1]
		req, err := xmlrpc.ParseRequest([]byte(body), xmlrpc.Limits{})
		if err != nil || len(req.Params) != 2 || abi.TypeName(req.Params[0]) != want(typ) {
			t.Errorf("%s: the curl example's body %s reads as %v (%v)", typ, body, req.Params, err)
		}
		sample := sampleOf(typ, 0).python
		script := "import xmlrpc.client\nprint(xmlrpc.client.dumps((" + sample + ",), 'm', allow_none=True))"
		out, err := exec.Command(python, "-c", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: python3 -c %q: %v\n%s", typ, script, err, out)
		}
		req, err = xmlrpc.ParseRequest(out, xmlrpc.Limits{})
		if err != nil || len(req.Params) != 1 || abi.TypeName(req.Params[0]) != want(typ) {
			t.Errorf("%s: Python sends %s as %s, read as %v (%v)", typ, sample, out, req.Params, err)
		}
	}
}
