package rpchost_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// JSON-RPC through the real binary over the shipped plugins: two JSON-RPC
// 2.0 client libraries other people wrote (npm's jayson and json-rpc-2.0,
// each driven by a script in testdata/interop that checks every answer
// itself), raw requests for what the libraries do not send, and web2py's
// JSON-RPC 1.1 on web2py's URL, served by configuration alone.

func requireNodeModule(t *testing.T, module string) string {
	t.Helper()
	node := requireTool(t, "node")
	if _, err := os.Stat(filepath.Join("testdata/interop/node_modules", module, "package.json")); err != nil {
		requireSetup(t, "run npm ci --prefix testdata/interop (needs "+module+")")
	}
	return node
}

// jsonrpcPlugins is a plugin directory with only the shipped plugins
// named, so that a server compiles what its test calls and not all five.
func jsonrpcPlugins(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("plugins", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestJSONRPCEndToEnd: one server, called by jayson, json-rpc-2.0 and raw
// requests.
func TestJSONRPCEndToEnd(t *testing.T) {
	t.Parallel()
	s := startServer(t, jsonrpcPlugins(t, "add.wasm", "types.wasm"), "RPCHOST_LIMITS_MAX_BODY_BYTES=65536", "RPCHOST_LIMITS_MAX_MULTICALL=4")
	t.Run("jayson", func(t *testing.T) {
		node := requireNodeModule(t, "jayson")
		t.Logf("jsonrpc_jayson.js:\n%s", runScript(t, node, "testdata/interop/jsonrpc_jayson.js", s.URL+"jsonrpc"))
	})
	t.Run("json-rpc-2.0", func(t *testing.T) {
		node := requireNodeModule(t, "json-rpc-2.0")
		t.Logf("jsonrpc_json-rpc-2.0.js:\n%s", runScript(t, node, "testdata/interop/jsonrpc_json-rpc-2.0.js", s.URL+"jsonrpc"))
	})
	t.Run("raw", func(t *testing.T) { jsonrpcRaw(t, s.URL+"jsonrpc") })
}

// postRaw posts body to url and returns the status and the body.
func postRaw(t *testing.T, url, contentType, body string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// jsonrpcRaw sends what the libraries do not, under limits.max_body_bytes
// 65536 and limits.max_multicall 4.
func jsonrpcRaw(t *testing.T, url string) {
	cases := []struct {
		name, req string
		status    int
		want      string
	}{
		{"add", `{"jsonrpc":"2.0","method":"add","params":[3,4],"id":1}`, 200, `{"jsonrpc":"2.0","result":7,"id":1}`},
		{"a string id as written", `{"jsonrpc":"2.0","method":"add","params":["hello","world"],"id":"\u0041"}`, 200, `{"jsonrpc":"2.0","result":"helloworld","id":"\u0041"}`},
		{"a big id", `{"jsonrpc":"2.0","method":"add","params":[1,1],"id":123456789012345678901234567890}`, 200, `{"jsonrpc":"2.0","result":2,"id":123456789012345678901234567890}`},
		{"a fraction id", `{"jsonrpc":"2.0","method":"add","params":[1,1],"id":2.50}`, 200, `{"jsonrpc":"2.0","result":2,"id":2.50}`},
		{"a double", `{"jsonrpc":"2.0","method":"add","params":[1.5,2],"id":1}`, 200, `{"jsonrpc":"2.0","result":3.5,"id":1}`},
		{"a dateTime", `{"jsonrpc":"2.0","method":"types.echo","params":[{"__datetime__":"2026-11-25T01:02:03.456Z"}],"id":1}`, 200, `{"jsonrpc":"2.0","result":{"__datetime__":"2026-11-25T01:02:03.456Z"},"id":1}`},
		{"a struct keeps its order", `{"jsonrpc":"2.0","method":"types.echo","params":[{"z":1,"a":null,"m":[true]}],"id":1}`, 200, `{"jsonrpc":"2.0","result":{"z":1,"a":null,"m":[true]},"id":1}`},
		{"parse error", `{"jsonrpc":"2.0","method":"add",`, 200, `"code":-32700`},
		{"empty batch", `[]`, 200, `{"jsonrpc":"2.0","error":{"code":-32600,"message":"jsonrpc: invalid request at byte 0: the batch is empty"},"id":null}`},
		{"invalid request", `{"jsonrpc":"2.0","method":1,"id":1}`, 200, `"code":-32600`},
		{"no such method", `{"jsonrpc":"2.0","method":"no.such","id":1}`, 200, `"code":-32601`},
		{"invalid params", `{"jsonrpc":"2.0","method":"add","params":[1,"x"],"id":1}`, 200, `{"jsonrpc":"2.0","error":{"code":-32602,"message":"add: cannot add int and string"},"id":1}`},
		{"a procedure's fault", `{"jsonrpc":"2.0","method":"types.fault","params":[42,"the answer"],"id":1}`, 200, `{"jsonrpc":"2.0","error":{"code":42,"message":"the answer"},"id":1}`},
		{"a batch", `[{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1},{"jsonrpc":"2.0","method":"add","params":[1,2]},{"foo":"boo"}]`, 200,
			`[{"jsonrpc":"2.0","result":3,"id":1},{"jsonrpc":"2.0","error":{"code":-32600,"message":"jsonrpc: invalid request at byte 117: the request has no \"method\""},"id":null}]`},
		{"a batch over limits.max_multicall", `[1,2,3,4,5]`, 200, `limits.max_multicall`},
		{"notifications only", `[{"jsonrpc":"2.0","method":"add","params":[1,2]},{"jsonrpc":"2.0","method":"add","params":[3,4]}]`, 204, ``},
		{"a notification", `{"jsonrpc":"2.0","method":"add","params":[1,2]}`, 204, ``},
		{"a body over limits.max_body_bytes", `{"jsonrpc":"2.0","method":"add","params":["` + strings.Repeat("x", 70000) + `"],"id":1}`, 200, `limits.max_body_bytes`},
	}
	for _, c := range cases {
		status, got := postRaw(t, url, "application/json", c.req)
		if status != c.status || !strings.Contains(got, c.want) || (c.status == 204 && got != "") {
			t.Errorf("%s: got %d %s\nwant %d %s", c.name, status, got, c.status, c.want)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /jsonrpc: %d, want 405", resp.StatusCode)
	}
}

// TestJSONRPCWeb2pyURLs: service A keeps web2py's URLs; rpchost serves them
// from config.yaml alone, XML-RPC and JSON-RPC 1.1 as web2py's clients
// speak it.
func TestJSONRPCWeb2pyURLs(t *testing.T) {
	t.Parallel()
	config := filepath.Join(t.TempDir(), "config.yaml")
	yaml := "http:\n  xmlrpc_paths: [/app/default/call/xmlrpc]\n  jsonrpc_paths: [/app/default/call/jsonrpc]\n"
	if err := os.WriteFile(config, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, jsonrpcPlugins(t, "add.wasm"), "RPCHOST_CONFIG="+config)
	base := strings.TrimSuffix(s.URL, "/")

	// What web2py's gluon/contrib/simplejsonrpc.py ServerProxy sends:
	// json.dumps of {id, method, params}, no version, as application/json.
	status, got := postRaw(t, base+"/app/default/call/jsonrpc", "application/json", `{"params": [3, 4], "id": 1804289383, "method": "add"}`)
	if want := `{"result":7,"error":null,"id":1804289383}`; status != 200 || got != want {
		t.Errorf("web2py's client, add(3, 4): %d %s, want %s", status, got, want)
	}
	status, got = postRaw(t, base+"/app/default/call/jsonrpc", "application/json", `{"params": ["hello", "world"], "version": "1.1", "id": 7, "method": "add"}`)
	if want := `{"version":"1.1","result":"helloworld","error":null,"id":7}`; status != 200 || got != want {
		t.Errorf("JSON-RPC 1.1, add(\"hello\", \"world\"): %d %s, want %s", status, got, want)
	}
	status, got = postRaw(t, base+"/app/default/call/jsonrpc", "application/json", `{"params": [1, "x"], "version": "1.1", "id": 8, "method": "add"}`)
	if want := `{"version":"1.1","result":null,"error":{"name":"JSONRPCError","code":-32602,"message":"add: cannot add int and string"},"id":8}`; status != 200 || got != want {
		t.Errorf("JSON-RPC 1.1, add(1, \"x\"): %d %s, want %s", status, got, want)
	}
	xml := `<?xml version="1.0"?><methodCall><methodName>add</methodName><params><param><value><int>3</int></value></param><param><value><int>4</int></value></param></params></methodCall>`
	status, got = postRaw(t, base+"/app/default/call/xmlrpc", "text/xml", xml)
	if status != 200 || !strings.Contains(got, "<int>7</int>") {
		t.Errorf("XML-RPC on web2py's URL: %d %s", status, got)
	}
	for _, path := range []string{"/", "/RPC2", "/jsonrpc"} {
		if status, _ := postRaw(t, base+path, "text/xml", xml); status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404 once the paths are configured", path, status)
		}
	}
}

func TestRPCPathsRefusedAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runRPCHostFor(t, 30*time.Second, dir, []string{"RPCHOST_CACHE_DIR=off", "RPCHOST_STORE_DIR=" + t.TempDir(),
		"RPCHOST_HTTP_XMLRPC_PATHS=/,/api", "RPCHOST_HTTP_JSONRPC_PATHS=/api,plugins"},
		"serve", "--listen", "127.0.0.1:0", "--plugins", t.TempDir())
	for _, want := range []string{`http.jsonrpc_paths: "/api" is in http.xmlrpc_paths already`, `http.jsonrpc_paths: "plugins" must start with "/"`} {
		if r.code == 0 || !strings.Contains(r.out, want) {
			t.Errorf("exit %d, output does not say %q:\n%s", r.code, want, r.out)
		}
	}
}
