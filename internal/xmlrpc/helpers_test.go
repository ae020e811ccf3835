package xmlrpc

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// equalValue compares two abi values the way a round trip must preserve
// them: floats bit for bit (so -0 differs from 0), times as instants
// truncated to the second (the encoder drops fractions), nil and empty
// byte slices alike (both encode as an empty <base64>).
func equalValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool, int64, string:
		return a == b
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Truncate(time.Second).Equal(y.Truncate(time.Second))
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case abi.Struct:
		y, ok := b.(abi.Struct)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].Name != y[i].Name || !equalValue(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	}
	return false
}

// show prints a value with its types, for failure messages.
func show(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case abi.Struct:
		parts := make([]string, len(x))
		for i, m := range x {
			parts[i] = fmt.Sprintf("%q: %s", m.Name, show(m.Value))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case nil:
		return "nil"
	}
	return fmt.Sprintf("%T(%#v)", v, v)
}

// call wraps param XML in a methodCall.
func call(params ...string) string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?><methodCall><methodName>m</methodName><params>")
	for _, p := range params {
		b.WriteString("<param>" + p + "</param>")
	}
	b.WriteString("</params></methodCall>")
	return b.String()
}

// value wraps content in <value> and parses it as the only param.
func parseValue(t *testing.T, content string) (any, error) {
	t.Helper()
	req, err := ParseRequest([]byte(call("<value>"+content+"</value>")), Limits{})
	if err != nil {
		return nil, err
	}
	if len(req.Params) != 1 {
		t.Fatalf("%d params, want 1", len(req.Params))
	}
	return req.Params[0], nil
}

// errCase is a body that must fail with a sentinel and a message holding
// every one of the fragments in want.
type errCase struct {
	name string
	body string
	kind error
	want []string
}

func checkErr(t *testing.T, err error, kind error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %q does not wrap %v", err, kind)
	}
	n := 0
	for _, s := range []error{ErrNotWellFormed, ErrUnsupportedEncoding, ErrInvalidCharacter, ErrInvalidRequest, ErrLimit} {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("error %q wraps %d sentinels, want exactly 1", err, n)
	}
	msg := err.Error()
	if !strings.Contains(msg, " at line ") {
		t.Errorf("error %q has no position", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", msg, w)
		}
	}
}

func runErrCases(t *testing.T, cases []errCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRequest([]byte(c.body), Limits{})
			checkErr(t, err, c.kind, c.want...)
		})
	}
}

func utc(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}
