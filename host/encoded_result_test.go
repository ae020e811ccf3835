package host

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/testutil"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// rawHost serves rawresult.wasm, whose method r returns its base64 param
// as its Result, with limits.max_items at 10,000.
func rawHost(t *testing.T) *Host {
	h, _ := newTestHost(t, map[string][]byte{"rawresult.wasm": fixture(t, "rawresult")},
		func(c Config) Config { return c.WithMaxItems(10_000).WithMaxBodyBytes(8 << 20) })
	return h
}

// serveRaw posts rawresult.r(result) to the XML-RPC front end and returns
// the response body.
func serveRaw(t *testing.T, h *Host, result []byte) []byte {
	t.Helper()
	body, err := xmlrpc.AppendRequest(nil, "rawresult.r", []any{result})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/RPC2", bytes.NewReader(body)))
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d: %.300s", rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// viaValues is the response serveXMLRPC writes for rawresult.r(result)
// when the result comes as Go values, as it did before results stayed
// encoded: Host.Call (in process: values), then the same encoding steps.
func viaValues(t *testing.T, h *Host, result []byte) []byte {
	t.Helper()
	v, err := h.Call(context.Background(), "rawresult.r", []any{result})
	if err == nil {
		var b []byte
		if b, err = xmlrpc.AppendResponse(nil, v); err == nil {
			return b
		}
		err = fmt.Errorf("the result of %s cannot be sent as XML-RPC: %w", "rawresult.r", err)
	}
	return xmlrpc.AppendFault(nil, toFault(err))
}

// resultCases are guest results, well-formed and hostile, for the tests
// below: a batch of readings as types.echo answers it, every scalar, and
// what a guest may get wrong.
func resultCases(t *testing.T) map[string][]byte {
	t.Helper()
	req, err := xmlrpc.ParseRequest(testutil.ReadingsCall("types.echo", 500), xmlrpc.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ok := func(v any) []byte {
		b, err := abi.AppendResult(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	raw := func(h string) []byte {
		var b []byte
		for _, f := range strings.Fields(h) {
			var x []byte
			if _, err := fmt.Sscanf(f, "%x", &x); err != nil {
				t.Fatal(err)
			}
			b = append(b, x...)
		}
		return b
	}
	nested := func(depth int) []byte {
		return append(append(raw("92 00"), bytes.Repeat([]byte{0x91}, depth)...), 0x01)
	}
	flat := func(n int) []byte { // n 1s in an array
		return append(raw(fmt.Sprintf("92 00 dd %08x", n)), bytes.Repeat([]byte{1}, n)...)
	}
	return map[string][]byte{
		"readings":        ok(req.Params),
		"scalars":         ok([]any{nil, true, int64(-1), int64(math.MaxInt64), 0.1, "a<&>\r", []byte{0, 255}, time.Unix(1700000000, 5).UTC()}),
		"struct":          ok(abi.Struct{{Name: "x<y", Value: abi.Struct{{Name: "", Value: []any{}}}}}),
		"int":             ok(int64(7)),
		"string":          ok("plain"),
		"deepest":         nested(abi.MaxDepth),
		"too deep":        nested(abi.MaxDepth + 1),
		"max items":       flat(10_000),
		"too many items":  flat(10_001),
		"a million items": flat(1_000_000),
		"claims 2^32-1":   raw("92 00 dd ffffffff 01"),
		"map claims":      raw("92 00 df 7fffffff a161 01"),
		"repeated key":    raw("92 00 82 a161 01 a161 02"),
		"bad UTF-8":       raw("92 00 91 a2 c328"),
		"bad UTF-8 key":   raw("92 00 81 a2 c328 01"),
		"int key":         raw("92 00 81 01 01"),
		"uint64":          raw("92 00 91 cf 8000000000000000"),
		"bad timestamp":   raw("92 00 91 d7 ff ffffffffffffffff"),
		"other extension": raw("92 00 91 d4 05 00"),
		"0xc1":            raw("92 00 91 c1"),
		"trailing bytes":  raw("92 00 90 00"),
		"truncated":       raw("92 00 92 01"),
		"NaN":             raw("92 00 91 cb 7ff8000000000001"),
		"infinity":        raw("92 00 81 a1 78 ca 7f800000"),
		"control char":    raw("92 00 91 a1 01"),
		"U+FFFE in name":  raw("92 00 81 a3 efbfbe 01"),
		"year 10000":      raw("92 00 91 c7 0c ff 00000000 0000003afff44180"),
		"fault":           abi.AppendFaultResult(nil, &abi.Fault{Code: 7, Message: "no"}),
	}
}

// TestXMLRPCEncodedResultsAsValues: every result, well-formed or not,
// gets from the XML-RPC front end (encoded all the way) exactly the bytes
// it got when results were decoded into Go values first.
func TestXMLRPCEncodedResultsAsValues(t *testing.T) {
	h := rawHost(t)
	cases := resultCases(t)
	e, ok := h.registry.Lookup("rawresult.r")
	if !ok {
		t.Fatal("rawresult.r is not registered")
	}
	ctx := withFrontEnd(context.Background(), FrontEndXMLRPC)
	if v, err := callMethod(ctx, e.Method, []any{cases["readings"]}); err != nil {
		t.Fatal(err)
	} else if _, ok := v.(abi.Encoded); !ok {
		t.Fatalf("the XML-RPC front end's call got a %T, want an abi.Encoded", v)
	}
	if v, _ := callMethod(withValueResults(ctx), e.Method, []any{cases["readings"]}); !isArray(v) {
		t.Fatalf("a multicall's call got a %T, want []any", v)
	}
	for name, result := range cases {
		got, want := serveRaw(t, h, result), viaValues(t, h, result)
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got  %.300s\n want %.300s", name, got, want)
		}
		if bytes.Contains(got, []byte("<fault>")) {
			t.Logf("%-16s → %.200s", name, got[bytes.Index(got, []byte("<string>")):])
		}
	}
}

func isArray(v any) bool { _, ok := v.([]any); return ok }

// TestHostileResultCostsNoMore: a result of a million values or nested as
// deep as a guest can write is refused, or written, for no more than its
// bytes: a few allocations, however many values it holds (written as Go
// values, the 500 readings took 7,272).
func TestHostileResultCostsNoMore(t *testing.T) {
	h := rawHost(t)
	cases := resultCases(t)
	for _, name := range []string{"a million items", "too deep", "claims 2^32-1", "deepest", "max items", "readings"} {
		body, err := xmlrpc.AppendRequest(nil, "rawresult.r", []any{cases[name]})
		if err != nil {
			t.Fatal(err)
		}
		serve := func() *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/RPC2", bytes.NewReader(body)))
			return rec
		}
		rec := serve()
		allocs := testing.AllocsPerRun(3, func() { serve() })
		t.Logf("%-16s: %.0f allocations, %.120s", name, allocs, rec.Body.String())
		// The request's own parse and the call take about 100; building
		// a million values would take a million.
		if allocs > 300 {
			t.Errorf("%s: %.0f allocations per call", name, allocs)
		}
	}
}

// TestEncodedResultsElsewhere: the other consumers of a guest's container
// result get Go values, as before: Host.Call, JSON-RPC, and
// system.multicall through XML-RPC, whose entries match a lone call's.
func TestEncodedResultsElsewhere(t *testing.T) {
	h := rawHost(t)
	result, err := abi.AppendResult(nil, abi.Struct{{Name: "a", Value: []any{int64(1), "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := h.Call(context.Background(), "rawresult.r", []any{result})
	if s, ok := v.(abi.Struct); err != nil || !ok || len(s) != 1 {
		t.Fatalf("Host.Call = %#v, %v; want an abi.Struct", v, err)
	}

	rec := httptest.NewRecorder()
	js, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "rawresult.r", "params": []any{map[string]any{"__base64__": result}}})
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/jsonrpc", bytes.NewReader(js)))
	if !strings.Contains(rec.Body.String(), `"result":{"a":[1,"b"]}`) {
		t.Errorf("JSON-RPC: %d %s", rec.Code, rec.Body.String())
	}

	call := abi.Struct{{Name: "methodName", Value: "rawresult.r"}, {Name: "params", Value: []any{result}}}
	body, err := xmlrpc.AppendRequest(nil, "system.multicall", []any{[]any{call, call}})
	if err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/RPC2", bytes.NewReader(body)))
	one := `<value><array><data><value><struct><member><name>a</name><value><array><data><value><int>1</int></value><value><string>b</string></value></data></array></value></member></struct></value></data></array></value>`
	if got := rec.Body.String(); strings.Count(got, one) != 2 {
		t.Errorf("multicall: %s", got)
	}
}
