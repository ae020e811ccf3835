package jsonrpc

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParse: the parser never panics, keeps its bounds, and what it
// accepts answers with valid JSON.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","method":"add","params":[3,4],"id":1}`,
		`{"jsonrpc":"2.0","method":"m","params":{"a":[1,{"__base64__":"aGk="}]},"id":"x"}`,
		`[{"jsonrpc":"2.0","method":"a"},{"foo":1},2,{"method":"m","params":[],"id":null}]`,
		`{"version":"1.1","method":"m","params":[{"__datetime__":"2026-01-02T03:04:05Z"}],"id":9}`,
		`[]`, `{}`, `[[[[[]]]]]`, `{"id":1e999}`, `{"method":"m","params":[1e999,99999999999999999999]}`,
	} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxDepth: 8, MaxItems: 200, MaxBatch: 10}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg, err := Parse(body, lim)
		// The scanner reads JSON as encoding/json does: what it calls not
		// JSON is not, and what it reads to the end is.
		if errors.Is(err, ErrParse) && json.Valid(body) && utf8.Valid(body) {
			t.Fatalf("%q is valid JSON, refused: %v", body, err)
		}
		if (err == nil || errors.Is(err, ErrInvalidRequest)) && !json.Valid(body) {
			t.Fatalf("%q is not JSON, read: %v", body, err)
		}
		if err != nil {
			out := AppendError(nil, nil, Error{Code: -32700, Message: err.Error()})
			if !json.Valid(out) {
				t.Fatalf("error response %s is not JSON", out)
			}
			return
		}
		if len(msg.Requests) == 0 || len(msg.Requests) > lim.MaxBatch || (!msg.Batch && len(msg.Requests) != 1) {
			t.Fatalf("%d requests (batch %v)", len(msg.Requests), msg.Batch)
		}
		for i := range msg.Requests {
			r := &msg.Requests[i]
			var out []byte
			if r.Err != nil {
				out = AppendError(nil, r, Error{Code: -32600, Message: r.Err.Error()})
			} else {
				out, err = AppendResult(nil, r, r.Params)
				if err != nil {
					t.Fatalf("params %#v read but not written: %v", r.Params, err)
				}
			}
			if !json.Valid(out) {
				t.Fatalf("response %s is not JSON", out)
			}
		}
	})
}
