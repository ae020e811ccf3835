package jsonrpc

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// TestDecodeValueReadsAParamsMapping: one value alone is read as a
// request's param is, and what AppendValue writes reads back.
func TestDecodeValueReadsAParamsMapping(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 123e6, time.UTC)
	values := []any{
		nil, true, int64(1<<53 + 1), int64(-1 << 63), 3.0, 1e21, "x\"\u2028", []byte("hi"), at, []any{},
		abi.Struct{{Name: "b", Value: int64(1)}, {Name: "a", Value: []any{[]byte{}, abi.Struct{}}}},
	}
	for _, v := range values {
		text, err := AppendValue(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeValue(text, Limits{})
		if err != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("%s read as %#v, %v; want %#v", text, got, err, v)
		}
		// The same text as a param reads the same.
		req := parseOne(t, `{"jsonrpc":"2.0","method":"m","params":[`+string(text)+`],"id":1}`)
		if req.Err != nil || !reflect.DeepEqual(req.Params[0], got) {
			t.Errorf("%s as a param: %#v, %v", text, req.Params, req.Err)
		}
	}
	if v, err := DecodeValue([]byte(` {"__datetime__": "20260102T03:04:05.123"} `), Limits{}); err != nil || v != any(at) {
		t.Errorf("an XML-RPC time: %#v, %v", v, err)
	}
}

func TestDecodeValueErrors(t *testing.T) {
	cases := []struct {
		in   string
		lim  Limits
		kind error
		says string
	}{
		{``, Limits{}, ErrParse, "empty"},
		{`[1, 2`, Limits{}, ErrParse, "ends inside"},
		{`1 2`, Limits{}, ErrParse, "after"},
		{"\"\xff\"", Limits{}, ErrParse, "UTF-8"},
		{`[123456789012345678901234]`, Limits{}, ErrInvalidParams, "64-bit range"},
		{`1e400`, Limits{}, ErrInvalidParams, "range of a double"},
		{`{"__base64__": "!!"}`, Limits{}, ErrInvalidParams, "not base64"},
		{`{"__datetime__": 3}`, Limits{}, ErrInvalidParams, "must be a string"},
		{`{"a": 1, "a": 2}`, Limits{}, ErrInvalidParams, "second member"},
		{strings.Repeat("[", 5) + strings.Repeat("]", 5), Limits{MaxDepth: 4}, ErrLimit, "limits.max_depth"},
		{`[1,2,3]`, Limits{MaxItems: 3}, ErrLimit, "limits.max_items"},
		{`[` + strings.Repeat("[", 1<<20), Limits{}, ErrLimit, "limits.max_depth"},
	}
	for _, tc := range cases {
		v, err := DecodeValue([]byte(tc.in), tc.lim)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%.40q: %#v, %v; want %v saying %q", tc.in, v, err, tc.kind, tc.says)
		}
	}
	if _, err := DecodeValue([]byte(`[1,2,3]`), Limits{MaxItems: 4}); err != nil {
		t.Errorf("4 values under max_items 4: %v", err)
	}
}
