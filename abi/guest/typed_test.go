package guest

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// callTyped registers h as "m" in a new registry and calls it with params.
func callTyped(t *testing.T, h TypedHandler, params ...any) (any, error) {
	t.Helper()
	r := newRegistry()
	if err := r.add(&method{name: "m", typed: h}, nil); err != nil {
		t.Fatal(err)
	}
	in, err := abi.AppendCall(nil, "m", params)
	if err != nil {
		t.Fatal(err)
	}
	out := r.call(nil, in)
	current = nil
	return abi.DecodeResult(out)
}

// anyOf rebuilds a Value through the typed accessors only, as the []any
// API would have decoded it.
func anyOf(t testing.TB, v Value) any {
	switch v.Type() {
	case "nil":
		return nil
	case "boolean":
		b, err := v.Bool()
		noErr(t, err)
		return b
	case "int", "i8":
		n, err := v.Int()
		noErr(t, err)
		return n
	case "double":
		f, err := v.Float()
		noErr(t, err)
		return f
	case "string":
		s, err := v.String()
		noErr(t, err)
		return s
	case "base64":
		b, err := v.Bytes()
		noErr(t, err)
		return append([]byte{}, b...)
	case "dateTime.iso8601":
		tm, err := v.Time()
		noErr(t, err)
		return tm
	case "array":
		a, err := v.Array()
		noErr(t, err)
		out := make([]any, 0, a.Len())
		for e, ok := a.Next(); ok; e, ok = a.Next() {
			out = append(out, anyOf(t, e))
		}
		return out
	default:
		m, err := v.Struct()
		noErr(t, err)
		out := make(abi.Struct, 0, m.Len())
		for e, ok := m.Next(); ok; e, ok = m.Next() {
			out = append(out, abi.Member{Name: string(e.Name()), Value: anyOf(t, e)})
		}
		return out
	}
}

// writeOf writes a Value back through the Writer, element by element.
func writeOf(w *Writer, v Value) {
	switch v.Type() {
	case "nil":
		w.Nil()
	case "boolean":
		b, _ := v.Bool()
		w.Bool(b)
	case "int", "i8":
		n, _ := v.Int()
		w.Int(n)
	case "double":
		f, _ := v.Float()
		w.Float(f)
	case "string":
		s, _ := v.StringBytes()
		w.StringBytes(s)
	case "base64":
		b, _ := v.Bytes()
		w.Bytes(b)
	case "dateTime.iso8601":
		tm, _ := v.Time()
		w.Time(tm)
	case "array":
		a, _ := v.Array()
		w.Array(a.Len())
		for e, ok := a.Next(); ok; e, ok = a.Next() {
			writeOf(w, e)
		}
	default:
		m, _ := v.Struct()
		w.Struct(m.Len())
		for e, ok := m.Next(); ok; e, ok = m.Next() {
			w.Name(string(e.Name()))
			writeOf(w, e)
		}
	}
}

func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var typedSamples = []any{
	nil, true, false, int64(0), int64(127), int64(-32), int64(-33), int64(1 << 40), int64(math.MinInt64),
	int64(math.MaxInt64), 1.5, -0.0, "", "héllo", strings.Repeat("x", 70000), []byte{}, []byte{0, 255},
	time.Unix(0, 0).UTC(), time.Unix(1<<34, 5).UTC(), time.Unix(-62135596800, 999999999).UTC(),
	[]any{}, []any{int64(1), "a", []any{nil}}, abi.Struct{}, abi.Struct{{Name: "a", Value: abi.Struct{{Name: "b", Value: []any{1.25}}}}},
}

func TestTypedReadsWhatTheDecoderReads(t *testing.T) {
	for _, want := range typedSamples {
		var got any
		_, err := callTyped(t, func(args Args, out *Writer) error {
			if err := args.Want(1); err != nil {
				return err
			}
			v, err := args.At(0)
			if err != nil {
				return err
			}
			got = anyOf(t, v)
			out.Raw(v)
			return nil
		}, want)
		if err != nil {
			t.Fatalf("%v: %v", want, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("read %#v, want %#v", got, want)
		}
	}
}

func TestTypedEchoIsRaw(t *testing.T) {
	for _, want := range typedSamples {
		got, err := callTyped(t, func(args Args, out *Writer) error {
			v, err := args.At(0)
			out.Raw(v)
			return err
		}, want)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("echo of %#v = %#v, %v", want, got, err)
		}
	}
}

func TestWriterWritesWhatAppendValueWrites(t *testing.T) {
	tm := time.Date(2026, 11, 27, 8, 0, 0, 500, time.UTC)
	got, err := callTyped(t, func(_ Args, w *Writer) error {
		w.Struct(3)
		w.Name("stored")
		w.Int(500)
		w.Name("rejected")
		w.Array(2)
		w.Struct(2)
		w.Name("index")
		w.Int(-70000)
		w.Name("reason")
		w.String("id is empty")
		w.Array(0)
		w.Name("misc")
		w.Array(6)
		w.Float(2.5)
		w.Bool(true)
		w.Nil()
		w.Time(tm)
		w.Bytes([]byte{1})
		w.StringBytes([]byte("é"))
		return nil
	})
	want := abi.Struct{{Name: "stored", Value: int64(500)}, {Name: "rejected", Value: []any{
		abi.Struct{{Name: "index", Value: int64(-70000)}, {Name: "reason", Value: "id is empty"}}, []any{}}},
		{Name: "misc", Value: []any{2.5, true, nil, tm, []byte{1}, "é"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, %v\nwant %#v", got, err, want)
	}
	// Nothing written is nil.
	if got, err := callTyped(t, func(Args, *Writer) error { return nil }); got != nil || err != nil {
		t.Errorf("empty result = %v, %v", got, err)
	}
}

func TestWriterRefusesBadShapes(t *testing.T) {
	for _, tc := range []struct {
		write func(w *Writer)
		want  string
	}{
		{func(w *Writer) { w.Int(1); w.Int(2) }, "a second value after the result"},
		{func(w *Writer) { w.Array(2); w.Int(1) }, "an array ended 1 element(s) short"},
		{func(w *Writer) { w.Struct(2); w.Name("a"); w.Int(1) }, "a struct ended 1 member(s) short"},
		{func(w *Writer) { w.Struct(1); w.Int(1) }, "a value where a struct member's name was due"},
		{func(w *Writer) { w.Struct(1); w.Name("a"); w.Name("b") }, "a struct member name where a member's value was due"},
		{func(w *Writer) { w.Name("a") }, "a struct member name outside a struct"},
		{func(w *Writer) { w.Float(math.NaN()) }, "XML-RPC has no NaN"},
		{func(w *Writer) { w.String("\xff") }, "not valid UTF-8"},
		{func(w *Writer) { w.Array(-1) }, "length -1 out of range"},
		{func(w *Writer) {
			for range abi.MaxDepth + 1 {
				w.Array(1)
			}
		}, "nest deeper than 128"},
	} {
		_, err := callTyped(t, func(_ Args, w *Writer) error { tc.write(w); return nil })
		f, ok := err.(*abi.Fault)
		if !ok || f.Code != abi.CodeInternalError || !strings.Contains(f.Message, "m: result: ") ||
			!strings.Contains(f.Message, tc.want) {
			t.Errorf("err = %v, want an internal error fault with %q", err, tc.want)
		}
	}
}

func TestTypedFaultsNameThePath(t *testing.T) {
	record := abi.Struct{{Name: "id", Value: "a"}, {Name: "at", Value: "yesterday"}, {Name: "two words", Value: int64(1)}}
	for _, tc := range []struct {
		read func(a Args) error
		want string
	}{
		{func(a Args) error { return a.Want(2) }, "m takes 2 params, got 1"},
		{func(a Args) error { _, err := a.At(1); return err }, "param 2: missing (got 1 param)"},
		{func(a Args) error { v, _ := a.At(0); _, err := v.Int(); return err }, "param 1: want int, got array"},
		{func(a Args) error {
			v, _ := a.At(0)
			arr, _ := v.Array()
			arr.Next()
			e, _ := arr.Next()
			m, err := e.Struct()
			if err != nil {
				return err
			}
			m.Next()
			at, _ := m.Next()
			_, err = at.Time()
			return err
		}, "param 1[1].at: want dateTime.iso8601, got string"},
		{func(a Args) error {
			v, _ := a.At(0)
			arr, _ := v.Array()
			e, _ := arr.Next()
			_, err := e.String()
			return err
		}, "param 1[0]: want string, got i8"},
		{func(a Args) error {
			v, _ := a.At(0)
			arr, _ := v.Array()
			arr.Next()
			e, _ := arr.Next()
			m, _ := e.Struct()
			m.Next()
			m.Next()
			w, _ := m.Next()
			return w.Fault("too few")
		}, `param 1[1]["two words"]: too few`},
	} {
		_, err := callTyped(t, func(a Args, _ *Writer) error { return tc.read(a) }, []any{int64(1) << 40, record})
		f, ok := err.(*abi.Fault)
		if !ok || f.Code != abi.CodeInvalidParams || f.Message != tc.want {
			t.Errorf("err = %v, want fault -32602 %q", err, tc.want)
		}
	}
}

func TestTypedErrorsAndPanics(t *testing.T) {
	_, err := callTyped(t, func(_ Args, w *Writer) error { w.Int(1); return &abi.Fault{Code: 7, Message: "no"} })
	if f, ok := err.(*abi.Fault); !ok || f.Code != 7 || f.Message != "no" {
		t.Errorf("err = %v", err)
	}
	panicLog = devNull{}
	defer func() { panicLog = stderr }()
	_, err = callTyped(t, func(_ Args, w *Writer) error { w.Array(3); panic("boom") })
	if f, ok := err.(*abi.Fault); !ok || f.Code != abi.CodeApplicationError || f.Message != "panic: boom" {
		t.Errorf("err = %v", err)
	}
}

type devNull struct{}

func (devNull) Write(b []byte) (int, error) { return len(b), nil }

func TestTypedRefusesMalformedParams(t *testing.T) {
	r := newRegistry()
	noErr(t, r.add(&method{name: "m", typed: func(Args, *Writer) error { return nil }}, nil))
	for _, in := range [][]byte{
		{0x92, 0xa1, 'm', 0x91, 0xa1, 0xff},                       // not UTF-8
		{0x92, 0xa1, 'm', 0x91, 0x82, 0xa1, 'a', 1, 0xa1, 'a', 2}, // duplicate key
		{0x92, 0xa1, 'm', 0x91, 0xc1},                             // never used
		{0x92, 0xa1, 'm', 0x91, 1, 2},                             // trailing bytes
		{0x92, 0xa1, 'm', 0x92, 1},                                // a param missing
	} {
		_, err := abi.DecodeResult(r.call(nil, in))
		if f, ok := err.(*abi.Fault); !ok || f.Code != abi.CodeInternalError ||
			!strings.HasPrefix(f.Message, "guest cannot read the call: ") {
			t.Errorf("% x: err = %v", in, err)
		}
	}
}

func TestRegisterTypedPanicsOnMistakes(t *testing.T) {
	for _, f := range []func(){
		func() { RegisterTyped("_x", func(Args, *Writer) error { return nil }) },
		func() { RegisterTyped("x", nil) },
	} {
		func() {
			defer func() {
				if p := recover(); p == nil || !strings.HasPrefix(p.(string), "guest.RegisterTyped: ") {
					t.Errorf("panic = %v", p)
				}
			}()
			f()
		}()
	}
}

func TestInts(t *testing.T) {
	want := []int64{0, 127, -1, -32, -33, 200, -200, 40000, -40000, 1 << 31, -1 << 31, 1 << 40, math.MinInt64, math.MaxInt64}
	params := make([]any, len(want))
	for i, n := range want {
		params[i] = n
	}
	var got []int64
	_, err := callTyped(t, func(args Args, _ *Writer) error {
		v, _ := args.At(0)
		var err error
		got, err = v.Ints([]int64{9})
		return err
	}, params)
	if err != nil || !reflect.DeepEqual(got, append([]int64{9}, want...)) {
		t.Errorf("Ints = %v, %v", got, err)
	}
	for _, tc := range []struct {
		param any
		want  string
	}{
		{[]any{int64(1), 2.5}, "param 1[1]: want int, got double"},
		{"x", "param 1: want array, got string"},
	} {
		_, err := callTyped(t, func(args Args, _ *Writer) error {
			v, _ := args.At(0)
			_, err := v.Ints(nil)
			return err
		}, tc.param)
		if f, ok := err.(*abi.Fault); !ok || f.Code != abi.CodeInvalidParams || f.Message != tc.want {
			t.Errorf("Ints(%v): err = %v, want %q", tc.param, err, tc.want)
		}
	}
}
