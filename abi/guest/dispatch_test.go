package guest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

// testRegistry registers methods covering every path of the dispatcher.
func testRegistry(t *testing.T) *registry {
	r := newRegistry()
	for name, h := range map[string]Handler{
		"sum": func(p Params) (any, error) {
			if err := p.Want(2); err != nil {
				return nil, err
			}
			a, err := p.Int(0)
			if err != nil {
				return nil, err
			}
			b, err := p.Int(1)
			if err != nil {
				return nil, err
			}
			return a + b, nil
		},
		"goint":     func(Params) (any, error) { return []int{1, 2}, nil },
		"echo":      func(p Params) (any, error) { return []any(p), nil },
		"plainerr":  func(Params) (any, error) { return nil, errors.New("disk on fire") },
		"fault":     func(Params) (any, error) { return nil, abi.Faultf(42, "custom") },
		"wrapped":   func(Params) (any, error) { return nil, fmt.Errorf("context: %w", abi.Faultf(43, "inner")) },
		"nilfault":  func(Params) (any, error) { var f *abi.Fault; return nil, f },
		"panics":    func(p Params) (any, error) { return p[5], nil },
		"panicsint": func(Params) (any, error) { panic(42) },
		"panicsval": func(Params) (any, error) { panic(struct{ X int }{1}) },
		"badtype":   func(Params) (any, error) { return struct{}{}, nil },
		"badstring": func(Params) (any, error) { return []any{"ok", "\xff"}, nil },
		"keep":      func(p Params) (any, error) { kept = p; return nil, nil },
	} {
		must(t, r.register(name, h))
	}
	return r
}

var kept Params

// run calls method through r as the host would and decodes the Result.
func run(t *testing.T, r *registry, method string, params ...any) (any, error) {
	t.Helper()
	in, err := abi.AppendCall(nil, method, params)
	if err != nil {
		t.Fatal(err)
	}
	out := r.call(nil, in)
	v, err := abi.DecodeResult(out)
	if err != nil && !isFault(err) {
		t.Fatalf("%s: the guest wrote a malformed Result: %v", method, err)
	}
	return v, err
}

func isFault(err error) bool {
	var f *abi.Fault
	return errors.As(err, &f)
}

func TestDispatch(t *testing.T) {
	panicLog = io.Discard
	defer func() { panicLog = os.Stderr }()
	r := testRegistry(t)
	for _, tc := range []struct {
		method string
		params []any
		want   any
		code   int
		msg    string
	}{
		{method: "sum", params: []any{int64(3), int64(4)}, want: int64(7)},
		{method: "sum", params: []any{int64(3)}, code: abi.CodeInvalidParams, msg: "sum takes 2 params, got 1"},
		{method: "sum", params: []any{int64(3), "4"}, code: abi.CodeInvalidParams, msg: "param 2: want int, got string"},
		{method: "goint", want: []any{int64(1), int64(2)}},
		{method: "echo", params: []any{"a", nil}, want: []any{"a", nil}},
		{method: "nope", code: abi.CodeMethodNotFound, msg: `method "nope" not found`},
		{method: "plainerr", code: abi.CodeApplicationError, msg: "disk on fire"},
		{method: "fault", code: 42, msg: "custom"},
		{method: "wrapped", code: 43, msg: "inner"},
		{method: "nilfault", code: abi.CodeInternalError, msg: "handler returned a nil *abi.Fault as its error"},
		{method: "panics", code: abi.CodeApplicationError, msg: "panic: runtime error: index out of range [5] with length 0"},
		{method: "panicsint", code: abi.CodeApplicationError, msg: "panic: 42"},
		{method: "panicsval", code: abi.CodeApplicationError, msg: "panic: %!v(struct { X int })"},
		{method: "badtype", code: abi.CodeInternalError, msg: "badtype: result: Go type struct {} is not an XML-RPC value"},
		{method: "badstring", code: abi.CodeInternalError, msg: "badstring: result: abi: cannot encode value at [1]: string is not valid UTF-8"},
	} {
		v, err := run(t, r, tc.method, tc.params...)
		if tc.code == 0 {
			if err != nil || fmt.Sprint(v) != fmt.Sprint(tc.want) {
				t.Errorf("%s%v = %v, %v; want %v", tc.method, tc.params, v, err, tc.want)
			}
			continue
		}
		var f *abi.Fault
		if !errors.As(err, &f) || f.Code != tc.code || !strings.HasPrefix(f.Message, tc.msg) {
			t.Errorf("%s%v: err = %v, want fault %d %q", tc.method, tc.params, err, tc.code, tc.msg)
		}
	}
}

// asFault42 finds a fault through an As method.
type asFault42 struct{}

func (asFault42) Error() string { return "as" }
func (asFault42) As(target any) bool {
	if f, ok := target.(**abi.Fault); ok {
		*f = abi.Faultf(42, "from As")
		return true
	}
	return false
}

// TestFaultInMatchesErrorsAs checks faultIn against errors.As, which it
// replaces to keep reflection out of plugins.
func TestFaultInMatchesErrorsAs(t *testing.T) {
	inner := &abi.Fault{Code: 1, Message: "inner"}
	for _, err := range []error{
		inner,
		fmt.Errorf("a: %w", fmt.Errorf("b: %w", inner)),
		errors.Join(errors.New("x"), fmt.Errorf("y: %w", inner)),
		fmt.Errorf("%w and %w", errors.New("x"), &abi.Fault{Code: 2}),
		asFault42{},
		fmt.Errorf("ctx: %w", asFault42{}),
		errors.New("plain"),
		errors.Join(errors.New("x"), errors.New("y")),
		fmt.Errorf("nil: %w", (*abi.Fault)(nil)),
	} {
		var want *abi.Fault
		wantOK := errors.As(err, &want)
		got, ok := faultIn(err)
		if ok != wantOK || (ok && !reflect.DeepEqual(got, want)) {
			t.Errorf("faultIn(%v) = %v, %v; errors.As gives %v, %v", err, got, ok, want, wantOK)
		}
	}
}

func TestDispatchSurvivesPanics(t *testing.T) {
	var log strings.Builder
	panicLog = &log
	defer func() { panicLog = os.Stderr }()
	r := testRegistry(t)
	for i := 0; i < 3; i++ {
		if _, err := run(t, r, "panics"); !isFault(err) {
			t.Fatalf("panic %d: err = %v", i, err)
		}
		if v, err := run(t, r, "sum", int64(1), int64(2)); v != int64(3) || err != nil {
			t.Fatalf("after panic %d: sum = %v, %v", i, v, err)
		}
	}
	if !strings.Contains(log.String(), "rpchost guest: panic in method panics: runtime error") ||
		!strings.Contains(log.String(), "goroutine") {
		t.Errorf("panic log lacks the message or the stack:\n%s", log.String())
	}
}

func TestDispatchMalformedCall(t *testing.T) {
	r := testRegistry(t)
	v, err := abi.DecodeResult(r.call(nil, []byte{0x92, 0x01}))
	var f *abi.Fault
	if v != nil || !errors.As(err, &f) || f.Code != abi.CodeInternalError ||
		!strings.HasPrefix(f.Message, "guest cannot read the call: abi: malformed message at byte 1") {
		t.Fatalf("malformed call: %v, %v", v, err)
	}
}

func TestDispatchAppends(t *testing.T) {
	r := testRegistry(t)
	in, _ := abi.AppendCall(nil, "sum", []any{int64(1), int64(1)})
	out := r.call([]byte("prefix"), in)
	if v, err := abi.DecodeResult(out[len("prefix"):]); string(out[:6]) != "prefix" || v != int64(2) || err != nil {
		t.Fatalf("call(dst) = %q", out)
	}
}

func TestDispatchReleasesParams(t *testing.T) {
	r := testRegistry(t)
	if _, err := run(t, r, "keep", "secret", int64(1)); err != nil {
		t.Fatal(err)
	}
	if kept[0] != nil || kept[1] != nil {
		t.Fatalf("params still hold their values after the call: %v", kept)
	}
	// A huge call's array is not kept for the next one.
	if _, err := run(t, r, "keep", make([]any, 5000)...); err != nil {
		t.Fatal(err)
	}
	if cap(r.params) > 1024 {
		t.Fatalf("registry keeps a params array of capacity %d", cap(r.params))
	}
}

func TestDispatchAllocations(t *testing.T) {
	r := testRegistry(t)
	in, _ := abi.AppendCall(nil, "sum", []any{int64(3), int64(4)})
	out := make([]byte, 0, 64)
	r.call(out, in) // size the params array
	if allocs := testing.AllocsPerRun(100, func() { r.call(out[:0], in) }); allocs != 0 {
		t.Fatalf("sum(3, 4) allocates %v times per call", allocs)
	}
}

func BenchmarkDispatchAdd(b *testing.B) {
	r := newRegistry()
	_ = r.register("add", func(p Params) (any, error) {
		a, _ := p.Int(0)
		c, _ := p.Int(1)
		return a + c, nil
	})
	in, _ := abi.AppendCall(nil, "add", []any{int64(3), int64(4)})
	out := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		out = r.call(out[:0], in)
	}
}
