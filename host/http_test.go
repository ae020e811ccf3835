package host

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

const addCall = `<?xml version="1.0"?><methodCall><methodName>calc.add</methodName><params>` +
	`<param><value><int>3</int></value></param><param><value><i8>4</i8></value></param></params></methodCall>`

func testServer(t *testing.T, adjust ...func(Config) Config) *httptest.Server {
	t.Helper()
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")}, adjust...)
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, srv *httptest.Server, path string, body []byte, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// result decodes a methodResponse, returning its value or its fault.
func result(t *testing.T, resp *http.Response) (any, *abi.Fault) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	v, err := xmlrpc.ParseResponse(body, xmlrpc.DefaultLimits())
	if f, ok := err.(*abi.Fault); ok {
		return nil, f
	}
	if err != nil {
		t.Fatalf("response %q: %v", body, err)
	}
	return v, nil
}

func TestHTTPServesRootAndRPC2(t *testing.T) {
	srv := testServer(t)
	for _, path := range []string{"/", "/RPC2"} {
		resp := post(t, srv, path, []byte(addCall))
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
			t.Errorf("Content-Type %q", ct)
		}
		if v, f := result(t, resp); f != nil || v != int64(7) {
			t.Errorf("POST %s add(3, 4) = %v, %v", path, v, f)
		}
	}
}

func TestHTTPStatusForWhatIsNotXMLRPC(t *testing.T) {
	srv := testServer(t)
	if resp := post(t, srv, "/elsewhere", []byte(addCall)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /elsewhere: %d, want 404", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("PUT /: %d Allow=%q, want 405 Allow=GET, HEAD, POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if resp := post(t, srv, "/", []byte(addCall), "Content-Encoding", "br"); resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("Content-Encoding br: %d, want 501", resp.StatusCode)
	}
	if resp := post(t, srv, "/", []byte("not gzip"), "Content-Encoding", "gzip"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad gzip: %d, want 400", resp.StatusCode)
	}
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func TestHTTPGzipBothWays(t *testing.T) {
	srv := testServer(t, func(c Config) Config { return c.WithGzip(true, 0) })
	resp := post(t, srv, "/", gzipped([]byte(addCall)), "Content-Encoding", "gzip", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Error("a client accepting gzip got an uncompressed response")
	}
	if v, f := result(t, resp); f != nil || v != int64(7) {
		t.Errorf("gzipped add(3, 4) = %v, %v", v, f)
	}
	if resp := post(t, srv, "/", []byte(addCall)); resp.Header.Get("Content-Encoding") != "" {
		t.Error("a client that did not accept gzip got gzip")
	}
}

func TestHTTPRefusesOversizedBodiesWithAFault(t *testing.T) {
	srv := testServer(t, func(c Config) Config { return c.WithMaxBodyBytes(1024) })
	big := []byte(`<?xml version="1.0"?><methodCall><methodName>calc.add</methodName><params><param><value><string>` +
		strings.Repeat("x", 4096) + `</string></value></param></params></methodCall>`)
	_, f := result(t, post(t, srv, "/", big))
	if f == nil || f.Code != abi.CodeInvalidRequest || !strings.Contains(f.Message, "1024 bytes") {
		t.Errorf("oversized body: fault %+v, want -32600 naming the limit", f)
	}
	// A small gzip body that inflates past the limit is refused the same way.
	_, f = result(t, post(t, srv, "/", gzipped(big), "Content-Encoding", "gzip"))
	if f == nil || f.Code != abi.CodeInvalidRequest {
		t.Errorf("gzip bomb: fault %+v, want -32600", f)
	}
}

func TestHTTPMalformedRequestsGetSpecificFaults(t *testing.T) {
	srv := testServer(t)
	cases := []struct {
		name string
		body string
		code int
	}{
		{"not XML", "hello", abi.CodeParseError},
		{"truncated", `<?xml version="1.0"?><methodCall><methodName>calc.add`, abi.CodeParseError},
		{"DTD", `<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]><methodCall><methodName>calc.add</methodName></methodCall>`, abi.CodeInvalidRequest},
		{"wrong root", `<?xml version="1.0"?><methodResponse></methodResponse>`, abi.CodeInvalidRequest},
		{"unknown encoding", `<?xml version="1.0" encoding="EBCDIC"?><methodCall><methodName>x</methodName></methodCall>`, abi.CodeUnsupportedEncoding},
		{"invalid UTF-8", "<?xml version=\"1.0\"?><methodCall><methodName>calc\xff</methodName></methodCall>", abi.CodeInvalidCharacter},
		{"bad method name", `<methodCall><methodName>calc add</methodName></methodCall>`, abi.CodeMethodNotFound},
		{"private method", `<methodCall><methodName>calc._hidden</methodName></methodCall>`, abi.CodeMethodNotFound},
		{"wrong params", `<methodCall><methodName>calc.add</methodName><params><param><value>x</value></param></params></methodCall>`, abi.CodeInvalidParams},
		{"too deep", `<methodCall><methodName>calc.add</methodName><params><param>` + strings.Repeat("<value><array><data>", 100) + strings.Repeat("</data></array></value>", 100) + `</param></params></methodCall>`, abi.CodeInvalidRequest},
	}
	for _, tc := range cases {
		_, f := result(t, post(t, srv, "/", []byte(tc.body)))
		if f == nil || f.Code != tc.code || f.Message == "" {
			t.Errorf("%s: fault %+v, want code %d with a message", tc.name, f, tc.code)
		}
	}
}

func TestHTTPAResultXMLRPCCannotCarryIsAFault(t *testing.T) {
	srv := testServer(t)
	body := `<methodCall><methodName>calc.div</methodName><params><param><value><double>0</double></value></param>` +
		`<param><value><double>0</double></value></param></params></methodCall>`
	_, f := result(t, post(t, srv, "/", []byte(body)))
	if f == nil || f.Code != abi.CodeInternalError || !strings.Contains(f.Message, "calc.div") {
		t.Errorf("0/0: fault %+v, want -32603 naming calc.div", f)
	}
}

// TestALongMethodNameIsNotEchoed: a fault names the method, and a name of
// megabytes (4 times larger once quoted) would make a small gzipped
// request an answer of tens of megabytes.
func TestALongMethodNameIsNotEchoed(t *testing.T) {
	h, _ := newTestHost(t, nil)
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	long := strings.Repeat("\x7f", 4<<20)
	for path, body := range map[string]string{
		"/RPC2":    "<methodCall><methodName>" + long + "</methodName></methodCall>",
		"/jsonrpc": `{"jsonrpc":"2.0","method":"` + long + `","id":1}`,
	} {
		resp := post(t, srv, path, []byte(body))
		b, _ := io.ReadAll(resp.Body)
		if len(b) > 2000 {
			t.Errorf("%s: a %d-byte method name got a %d-byte answer", path, len(long), len(b))
		}
	}
}
