package host

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// jsonServer serves the calc and hostile fixtures; hostile's calls stop
// after 50 ms.
func jsonServer(t *testing.T, adjust ...func(Config) Config) (*httptest.Server, func() string) {
	t.Helper()
	adjust = append([]func(Config) Config{func(c Config) Config {
		return c.WithPluginLimits("hostile", Limits{CallTimeout: 50 * time.Millisecond})
	}}, adjust...)
	h, logs := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc"), "hostile.wasm": fixture(t, "hostile")}, adjust...)
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	return srv, logs.String
}

// rpc posts body to /jsonrpc and returns the status and body.
func rpc(t *testing.T, srv *httptest.Server, body string, header ...string) (int, string) {
	t.Helper()
	return rpcAt(t, srv, "/jsonrpc", body, header...)
}

func rpcAt(t *testing.T, srv *httptest.Server, path, body string, header ...string) (int, string) {
	t.Helper()
	resp := post(t, srv, path, []byte(body), append([]string{"Content-Type", "application/json"}, header...)...)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusOK && !strings.HasPrefix(body, "<") && resp.Header.Get("Content-Type") != jsonContentType {
		t.Errorf("Content-Type %q, want %s", resp.Header.Get("Content-Type"), jsonContentType)
	}
	return resp.StatusCode, string(b)
}

func TestJSONRPCAnswers(t *testing.T) {
	srv, _ := jsonServer(t)
	cases := []struct{ req, want string }{
		{`{"jsonrpc":"2.0","method":"calc.add","params":[3,4],"id":1}`, `{"jsonrpc":"2.0","result":7,"id":1}`},
		{`{"jsonrpc":"2.0","method":"add","params":[3,4],"id":"abc"}`, `{"jsonrpc":"2.0","result":7,"id":"abc"}`},
		{`{"jsonrpc":"2.0","method":"add","params":[3,4],"id":12345678901234567890123}`, `{"jsonrpc":"2.0","result":7,"id":12345678901234567890123}`},
		{`{"jsonrpc":"2.0","method":"add","params":[3,4],"id":1.50}`, `{"jsonrpc":"2.0","result":7,"id":1.50}`},
		{`{"jsonrpc":"2.0","method":"add","params":[3,4],"id":null}`, `{"jsonrpc":"2.0","result":7,"id":null}`},
		{`{"jsonrpc":"2.0","method":"calc.add","params":[4611686018427387904,4611686018427387903],"id":1}`, `{"jsonrpc":"2.0","result":9223372036854775807,"id":1}`},
		{`{"jsonrpc":"2.0","method":"calc.div","params":[1.0,4.0],"id":1}`, `{"jsonrpc":"2.0","result":0.25,"id":1}`},
		{`{"jsonrpc":"2.0","method":"calc.div","params":[8.0,4.0],"id":1}`, `{"jsonrpc":"2.0","result":2.0,"id":1}`},
		{`{"jsonrpc":"2.0","method":"system.methodSignature","params":["calc.add"],"id":1}`, `{"jsonrpc":"2.0","result":[["i8","i8","i8"]],"id":1}`},
		// JSON-RPC 1.0 and 1.1, answered in kind.
		{`{"method":"add","params":[3,4],"id":5}`, `{"result":7,"error":null,"id":5}`},
		{`{"version":"1.1","method":"add","params":[3,4],"id":5}`, `{"version":"1.1","result":7,"error":null,"id":5}`},
		{`{"version":"1.1","method":"nope","params":[],"id":5}`, `{"version":"1.1","result":null,"error":{"name":"JSONRPCError","code":-32601,"message":"no method \"nope\"; system.listMethods lists the methods served"},"id":5}`},
	}
	for _, c := range cases {
		status, got := rpc(t, srv, c.req)
		if status != http.StatusOK || got != c.want {
			t.Errorf("%s\n got %d %s\nwant 200 %s", c.req, status, got, c.want)
		}
	}
}

// errorOf decodes a single error response.
func errorOf(t *testing.T, body string) (code int, message string, id json.RawMessage) {
	t.Helper()
	var r struct {
		JSONRPC string `json:"jsonrpc"`
		Error   *struct {
			Code    int             `json:"code"`
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		} `json:"error"`
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Error == nil || r.JSONRPC != "2.0" {
		t.Fatalf("%s: not a JSON-RPC 2.0 error (%v)", body, err)
	}
	return r.Error.Code, r.Error.Message, r.ID
}

func TestJSONRPCErrors(t *testing.T) {
	srv, _ := jsonServer(t, func(c Config) Config {
		return c.WithMaxDepth(4).WithMaxItems(100).WithMaxBodyBytes(4096).WithMaxInflightBytes(1 << 20)
	})
	cases := []struct {
		req  string
		code int
		id   string
		says string
	}{
		{`{"jsonrpc":"2.0","method":"add","params":[3,4]`, -32700, "null", "parse error"},
		{`not json`, -32700, "null", "parse error"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"add\xff\",\"id\":1}", -32700, "null", "not UTF-8"},
		{`[]`, -32600, "null", "batch is empty"},
		{`{"jsonrpc":"2.0","method":1,"id":1}`, -32600, "1", `"method" must be a string`},
		{`{"jsonrpc":"2.0","params":[],"id":1}`, -32600, "1", `no "method"`},
		{`{"jsonrpc":"2.0","method":"add","params":7,"id":1}`, -32600, "1", `"params" must be`},
		{`{"jsonrpc":"2.0","method":"add","id":{"a":1}}`, -32600, "null", `"id" must be`},
		{`{"jsonrpc":"2.0","method":"nope","id":1}`, -32601, "1", `no method "nope"`},
		{`{"jsonrpc":"2.0","method":"calc._hidden","id":1}`, -32601, "1", ""},
		{`{"jsonrpc":"2.0","method":"calc.add","params":[1],"id":1}`, -32602, "1", ""},
		{`{"jsonrpc":"2.0","method":"calc.add","params":[9223372036854775808,1],"id":1}`, -32602, "1", "outside the 64-bit range"},
		{`{"jsonrpc":"2.0","method":"calc.add","params":{"a":1},"id":1}`, -32602, "1", ""},
		{`{"jsonrpc":"2.0","method":"calc.crash","id":1}`, CodeTrap, "1", ""},
		{`{"jsonrpc":"2.0","method":"hostile.spin","id":1}`, CodeTimeout, "1", ""},
		{`{"jsonrpc":"2.0","method":"add","params":[[[[[[1]]]]]],"id":1}`, -32600, "null", "limits.max_depth"},
		{`{"jsonrpc":"2.0","method":"add","params":[` + strings.Repeat("1,", 100) + `1],"id":1}`, -32600, "null", "limits.max_items"},
		{`{"jsonrpc":"2.0","method":"add","params":["` + strings.Repeat("x", 5000) + `"],"id":1}`, -32600, "null", "limits.max_body_bytes"},
	}
	for _, c := range cases {
		status, got := rpc(t, srv, c.req)
		if status != http.StatusOK {
			t.Errorf("%.80s: status %d", c.req, status)
			continue
		}
		code, msg, id := errorOf(t, got)
		if code != c.code || string(id) != c.id || !strings.Contains(msg, c.says) {
			t.Errorf("%.80s\n got %s\nwant code %d id %s message with %q", c.req, got, c.code, c.id, c.says)
		}
	}
	// rpchost's own codes carry a name in error.data.
	if _, got := rpc(t, srv, `{"jsonrpc":"2.0","method":"hostile.spin","id":1}`); !strings.Contains(got, `"data":{"fault":"timeout"}`) {
		t.Errorf("a timeout's error has no data naming it: %s", got)
	}
}

func TestJSONRPCBatch(t *testing.T) {
	srv, logs := jsonServer(t)
	status, got := rpc(t, srv, `[`+
		`{"jsonrpc":"2.0","method":"add","params":[1,2],"id":"1"},`+
		`{"jsonrpc":"2.0","method":"add","params":[7]},`+
		`{"jsonrpc":"2.0","method":"nope","params":[],"id":"3"},`+
		`{"foo":"boo"},`+
		`1,`+
		`{"method":"add","params":[5,5],"id":9},`+
		`{"jsonrpc":"2.0","method":"system.multicall","params":[[{"methodName":"add","params":[1,1]}]],"id":"mc"}`+
		`]`)
	want := `[{"jsonrpc":"2.0","result":3,"id":"1"},` +
		`{"jsonrpc":"2.0","error":{"code":-32601,"message":"no method \"nope\"; system.listMethods lists the methods served"},"id":"3"},` +
		`{"jsonrpc":"2.0","error":{"code":-32600,"message":"jsonrpc: invalid request at byte 172: the request has no \"method\""},"id":null},` +
		`{"jsonrpc":"2.0","error":{"code":-32600,"message":"jsonrpc: invalid request at byte 174: a request must be an object"},"id":null},` +
		`{"result":10,"error":null,"id":9},` +
		`{"jsonrpc":"2.0","result":[[2]],"id":"mc"}]`
	if status != http.StatusOK || got != want {
		t.Errorf("batch:\n got %d %s\nwant 200 %s", status, got, want)
	}

	// Notifications only: run, and answered with 204 and no body.
	status, got = rpc(t, srv, `[{"jsonrpc":"2.0","method":"hostile.spin"},{"jsonrpc":"2.0","method":"add","params":[1,2]}]`)
	if status != http.StatusNoContent || got != "" {
		t.Errorf("a batch of notifications: %d %q, want 204 and no body", status, got)
	}
	status, got = rpc(t, srv, `{"jsonrpc":"2.0","method":"hostile.spin","params":[]}`)
	if status != http.StatusNoContent || got != "" {
		t.Errorf("a notification: %d %q, want 204 and no body", status, got)
	}
	if n := strings.Count(logs(), "method=spin"); n != 2 {
		t.Errorf("the two spin notifications logged %d timeouts, want 2: they run", n)
	}
	// 1.0: a null id is a notification.
	if status, got = rpc(t, srv, `{"method":"add","params":[1,2],"id":null}`); status != http.StatusNoContent {
		t.Errorf("a 1.0 notification: %d %q", status, got)
	}
	// A notification with a bad request is answered all the same.
	if status, got = rpc(t, srv, `{"jsonrpc":"2.0","method":7}`); status != http.StatusOK || !strings.Contains(got, "-32600") {
		t.Errorf("an invalid notification: %d %q", status, got)
	}
}

// TestJSONRPCNamedParams: named params arrive as one struct.
func TestJSONRPCNamedParams(t *testing.T) {
	srv, _ := jsonServer(t)
	_, got := rpc(t, srv, `{"jsonrpc":"2.0","method":"system.methodHelp","params":{"name":"calc.add"},"id":1}`)
	// methodHelp takes a string: a struct is a -32602 that names the struct.
	if code, msg, _ := errorOf(t, got); code != -32602 || !strings.Contains(msg, "got struct") {
		t.Errorf("named params: %s, want -32602 saying a struct arrived", got)
	}
}

func TestJSONRPCBatchLimits(t *testing.T) {
	srv, _ := jsonServer(t, func(c Config) Config { return c.WithMaxMulticall(5) })
	batch := func(n int, call string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(call+",", n), ",") + "]"
	}
	add := `{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}`
	if _, got := rpc(t, srv, batch(5, add)); strings.Count(got, `"result":3`) != 5 {
		t.Errorf("5 requests under limits.max_multicall 5: %s", got)
	}
	_, got := rpc(t, srv, batch(6, add))
	if code, msg, _ := errorOf(t, got); code != -32600 || !strings.Contains(msg, "limits.max_multicall") {
		t.Errorf("6 requests under limits.max_multicall 5: %s", got)
	}
}

func TestJSONRPCBatchSharesOneTimeLimit(t *testing.T) {
	srv, _ := jsonServer(t, func(c Config) Config { return c.WithCallTimeout(300 * time.Millisecond).WithMaxMulticall(100) })
	spin := `{"jsonrpc":"2.0","method":"hostile.spin","id":1}`
	start := time.Now()
	_, got := rpc(t, srv, "["+strings.TrimSuffix(strings.Repeat(spin+",", 100), ",")+"]")
	took := time.Since(start)
	var entries []struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(got), &entries); err != nil {
		t.Fatalf("%v: %.200s", err, got)
	}
	notRun := 0
	for _, e := range entries {
		if e.Error.Code != CodeTimeout {
			t.Fatalf("entry %+v, want -32001", e)
		}
		if strings.HasPrefix(e.Error.Message, "not run") {
			notRun++
		}
	}
	t.Logf("a batch of 100 × a 50 ms spin under a 300 ms call timeout: %d not run, in %v", notRun, took.Round(time.Millisecond))
	if len(entries) != 100 || notRun < 80 {
		t.Errorf("%d entries, %d not run; want 100, most not run", len(entries), notRun)
	}
	if took > 3*time.Second {
		t.Errorf("the batch took %v; its calls together have 300 ms", took)
	}
}

func TestJSONRPCBatchResultsBounded(t *testing.T) {
	const limit = 400
	srv, _ := jsonServer(t, func(c Config) Config { return c.WithLimits(Limits{MaxResultBytes: limit}) })
	add := `{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}`
	_, got := rpc(t, srv, "["+strings.TrimSuffix(strings.Repeat(add+",", 100), ",")+"]")
	ok := strings.Count(got, `"result":3`)
	tooLarge := strings.Count(got, fmt.Sprintf(`"code":%d`, CodeResultTooLarge))
	t.Logf("100 × add under limits.max_result_bytes %d: %d results, %d × -32007, %d bytes", limit, ok, tooLarge, len(got))
	if ok == 0 || ok*len(`{"jsonrpc":"2.0","result":3,"id":1}`) > limit || ok+tooLarge != 100 {
		t.Errorf("%d results and %d × -32007; want the results to fit %d bytes and the rest -32007", ok, tooLarge, limit)
	}
}

func TestJSONRPCBatchStopsWhenTheClientGoesAway(t *testing.T) {
	srv, logs := jsonServer(t, func(c Config) Config { return c.WithCallTimeout(time.Minute).WithMaxMulticall(100) })
	spin := `{"jsonrpc":"2.0","method":"hostile.spin","id":1}`
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/jsonrpc", strings.NewReader("["+strings.TrimSuffix(strings.Repeat(spin+",", 100), ",")+"]"))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a batch of 100 × 50 ms answered within 300 ms")
	}
	waitFor(t, "the server to notice", func() bool { return strings.Contains(logs(), "client went away") })
	ran := func() int { return strings.Count(logs(), "method=spin") }
	n := ran()
	time.Sleep(300 * time.Millisecond)
	t.Logf("a batch of 100 × a 50 ms spin, client gone after 300 ms: %d calls ran (then %d)", n, ran())
	if n >= 20 || ran() != n {
		t.Errorf("%d calls ran, then %d; want the batch to stop when its client went away", n, ran())
	}
}

func TestJSONRPCHTTP(t *testing.T) {
	srv, _ := jsonServer(t)
	resp, err := http.Get(srv.URL + "/jsonrpc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /jsonrpc: %d Allow %q, want 405 Allow POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// A gzip body is read as XML-RPC's are.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write([]byte(`{"jsonrpc":"2.0","method":"add","params":[3,4],"id":1}`))
	_ = zw.Close()
	if status, got := rpc(t, srv, z.String(), "Content-Encoding", "gzip"); status != http.StatusOK || got != `{"jsonrpc":"2.0","result":7,"id":1}` {
		t.Errorf("a gzip body: %d %s", status, got)
	}
	if status, _ := rpc(t, srv, "x", "Content-Encoding", "br"); status != http.StatusNotImplemented {
		t.Errorf("Content-Encoding br: %d, want 501", status)
	}
	// Any Content-Type is read: web2py's client sends text/xml.
	if status, got := rpc(t, srv, `{"method":"add","params":[3,4],"id":1}`, "Content-Type", "text/xml"); status != http.StatusOK || !strings.Contains(got, `"result":7`) {
		t.Errorf("text/xml: %d %s", status, got)
	}
	// JSON on the XML-RPC path is an XML-RPC fault, and XML on the JSON path a JSON-RPC error.
	if _, got := rpcAt(t, srv, "/jsonrpc", addCall); !strings.Contains(got, `"code":-32700`) {
		t.Errorf("XML on /jsonrpc: %s", got)
	}
}

func TestRPCPathsAreConfiguration(t *testing.T) {
	srv, _ := jsonServer(t, func(c Config) Config {
		return c.WithXMLRPCPaths([]string{"/app/default/call/xmlrpc"}).WithJSONRPCPaths([]string{"/app/default/call/jsonrpc", "/rpc"})
	})
	for path, want := range map[string]int{"/": 404, "/RPC2": 404, "/jsonrpc": 404, "/app/default/call/xmlrpc": 200, "/app/default/call/jsonrpc": 200, "/rpc": 200} {
		body := `{"jsonrpc":"2.0","method":"add","params":[3,4],"id":1}`
		if strings.HasSuffix(path, "xmlrpc") {
			body = addCall
		}
		if status, got := rpcAt(t, srv, path, body); status != want || (want == 200 && !strings.Contains(got, "7")) {
			t.Errorf("POST %s: %d %.100s, want %d", path, status, got, want)
		}
	}
}

func TestRPCPathsValidated(t *testing.T) {
	cases := []struct {
		xml, json []string
		says      string
	}{
		{[]string{"RPC2"}, nil, `http.xmlrpc_paths: "RPC2" must start with "/"`},
		{nil, []string{"/x?y"}, `http.jsonrpc_paths: "/x?y" holds a query`},
		{[]string{"/plugins"}, nil, `http.xmlrpc_paths: "/plugins" is plugin administration's`},
		{nil, []string{"/plugins/x"}, `http.jsonrpc_paths: "/plugins/x" is plugin administration's`},
		{[]string{"/a"}, []string{"/a"}, `http.jsonrpc_paths: "/a" is in http.xmlrpc_paths already`},
		{[]string{"/a", "/a"}, nil, `http.xmlrpc_paths: "/a" is in http.xmlrpc_paths already`},
		{nil, []string{"/x/../plugins"}, `http.jsonrpc_paths: "/x/../plugins" is not a clean path ("/plugins")`},
		{nil, []string{"//plugins"}, `http.jsonrpc_paths: "//plugins" is not a clean path`},
		{[]string{"/metrics"}, nil, `http.xmlrpc_paths: "/metrics" is the monitoring's or the page's own path`},
	}
	for _, c := range cases {
		err := NewConfig().WithPluginDir(t.TempDir()).WithXMLRPCPaths(c.xml).WithJSONRPCPaths(c.json).validate()
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("xml %q json %q: %v, want %q", c.xml, c.json, err, c.says)
		}
	}
	if err := NewConfig().WithXMLRPCPaths(nil).WithJSONRPCPaths([]string{"/"}).validate(); err != nil {
		t.Errorf("JSON-RPC alone on /: %v", err)
	}
}

// TestJSONRPCCallsComeThroughItsFrontEnd: every call of a request or a
// batch carries FrontEndJSONRPC in its context, as metrics and logs read it.
func TestJSONRPCCallsComeThroughItsFrontEnd(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")})
	if err := h.registry.RegisterBuiltin("system.testFrontEnd", &builtin{fn: func(ctx context.Context, _ []any) (any, error) {
		return frontEndOf(ctx), nil
	}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	if _, got := rpc(t, srv, `{"jsonrpc":"2.0","method":"system.testFrontEnd","id":1}`); got != `{"jsonrpc":"2.0","result":"jsonrpc","id":1}` {
		t.Errorf("a request: %s", got)
	}
	if _, got := rpc(t, srv, `[{"jsonrpc":"2.0","method":"system.testFrontEnd","id":1}]`); got != `[{"jsonrpc":"2.0","result":"jsonrpc","id":1}]` {
		t.Errorf("a batch: %s", got)
	}
	xml := `<?xml version="1.0"?><methodCall><methodName>system.testFrontEnd</methodName></methodCall>`
	if _, got := rpcAt(t, srv, "/", xml); !strings.Contains(got, "<string>xmlrpc</string>") {
		t.Errorf("XML-RPC: %s", got)
	}
}
