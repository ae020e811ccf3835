package jsonrpc

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

func TestAppendResultVersions(t *testing.T) {
	cases := []struct {
		req  Request
		want string
	}{
		{Request{Version: V2, ID: []byte(`"a\u0041"`)}, `{"jsonrpc":"2.0","result":7,"id":"a\u0041"}`},
		{Request{Version: V2, ID: []byte(`12345678901234567890123`)}, `{"jsonrpc":"2.0","result":7,"id":12345678901234567890123}`},
		{Request{Version: V2, ID: []byte(`1.50`)}, `{"jsonrpc":"2.0","result":7,"id":1.50}`},
		{Request{Version: V2, ID: []byte(`null`)}, `{"jsonrpc":"2.0","result":7,"id":null}`},
		{Request{Version: V1, ID: []byte(`3`)}, `{"result":7,"error":null,"id":3}`},
		{Request{Version: V11, ID: []byte(`3`)}, `{"version":"1.1","result":7,"error":null,"id":3}`},
	}
	for _, c := range cases {
		got, err := AppendResult(nil, &c.req, int64(7))
		if err != nil || string(got) != c.want {
			t.Errorf("got %s (%v), want %s", got, err, c.want)
		}
	}
}

func TestAppendErrorVersions(t *testing.T) {
	e := Error{Code: -32601, Message: `no method "x"`}
	cases := []struct {
		req  *Request
		want string
	}{
		{nil, `{"jsonrpc":"2.0","error":{"code":-32601,"message":"no method \"x\""},"id":null}`},
		{&Request{Version: V2, ID: []byte(`1`)}, `{"jsonrpc":"2.0","error":{"code":-32601,"message":"no method \"x\""},"id":1}`},
		{&Request{Version: V1, ID: []byte(`1`)}, `{"result":null,"error":{"code":-32601,"message":"no method \"x\""},"id":1}`},
		{&Request{Version: V11, ID: []byte(`1`)}, `{"version":"1.1","result":null,"error":{"name":"JSONRPCError","code":-32601,"message":"no method \"x\""},"id":1}`},
	}
	for _, c := range cases {
		if got := AppendError(nil, c.req, e); string(got) != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
	withData := AppendError(nil, nil, Error{Code: -32001, Message: "m", Data: abi.Struct{{Name: "name", Value: "timeout"}}})
	if want := `{"jsonrpc":"2.0","error":{"code":-32001,"message":"m","data":{"name":"timeout"}},"id":null}`; string(withData) != want {
		t.Errorf("got %s, want %s", withData, want)
	}
	badData := AppendError(nil, nil, Error{Code: 1, Message: "m", Data: math.NaN()})
	if want := `{"jsonrpc":"2.0","error":{"code":1,"message":"m"},"id":null}`; string(badData) != want {
		t.Errorf("got %s, want %s", badData, want)
	}
}

func TestAppendValueForms(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{int64(math.MaxInt64), `9223372036854775807`},
		{int64(math.MinInt64), `-9223372036854775808`},
		{7.0, `7.0`},
		{-0.5, `-0.5`},
		{1e21, `1e+21`},
		{1e-7, `1e-7`},
		{123456789.125, `123456789.125`},
		{"a\"b\\c\n\x01\u2028é\xff", `"a\"b\\c\n\u0001\u2028é\ufffd"`},
		{[]byte("hi"), `{"__base64__":"aGk="}`},
		{time.Date(2026, 11, 25, 1, 2, 3, 456e6, time.FixedZone("x", 3600)), `{"__datetime__":"2026-11-25T00:02:03.456Z"}`},
		{time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC), `{"__datetime__":"2026-11-25T01:02:03Z"}`},
		{[]any{}, `[]`},
		{abi.Struct{}, `{}`},
		{abi.Struct{{Name: "z", Value: int64(1)}, {Name: "a", Value: []any{nil}}}, `{"z":1,"a":[null]}`},
	}
	for _, c := range cases {
		got, err := AppendValue(nil, c.v)
		if err != nil || string(got) != c.want {
			t.Errorf("AppendValue(%#v) = %s, %v; want %s", c.v, got, err, c.want)
		}
		if !json.Valid(got) {
			t.Errorf("AppendValue(%#v) = %s is not JSON", c.v, got)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), []any{1}, map[string]any{}, int(1)} {
		if got, err := AppendValue([]byte("x"), bad); err == nil || string(got) != "x" {
			t.Errorf("AppendValue(%#v) = %s, %v; want an error and dst unchanged", bad, got, err)
		}
	}
	cyclic := []any{nil}
	cyclic[0] = cyclic
	if _, err := AppendValue(nil, cyclic); err == nil {
		t.Error("a cyclic array was encoded")
	}
}

// TestValueRoundTrip: every value of the abi set written as JSON reads
// back as itself, so a procedure sees the same value from either front end.
func TestValueRoundTrip(t *testing.T) {
	values := []any{
		nil, true, false, int64(0), int64(1 << 53), int64(1<<53 + 1), int64(math.MaxInt64), int64(math.MinInt64),
		0.0, 7.0, 0.1, -2.5e-300, 1.7976931348623157e308, 1e21, 123456789.125,
		"", "hello", "tab\there \"quoted\" \\ \u2028 é 😀",
		[]byte{}, []byte{0, 1, 2, 255},
		time.Date(2026, 11, 25, 1, 2, 3, 456789e3, time.UTC), time.Date(1998, 7, 17, 14, 8, 55, 0, time.UTC),
		[]any{int64(1), "two", []any{3.0}}, abi.Struct{{Name: "z", Value: int64(1)}, {Name: "a", Value: abi.Struct{{Name: "b", Value: nil}}}},
	}
	for _, v := range values {
		b, err := AppendValue(nil, v)
		if err != nil {
			t.Fatalf("AppendValue(%#v): %v", v, err)
		}
		req := parseOne(t, `{"jsonrpc":"2.0","method":"m","params":[`+string(b)+`],"id":1}`)
		if req.Err != nil || len(req.Params) != 1 || !reflect.DeepEqual(req.Params[0], v) {
			t.Errorf("%#v → %s → %#v (%v)", v, b, req.Params, req.Err)
		}
	}
}
