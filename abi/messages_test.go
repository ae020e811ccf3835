package abi

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestCallRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		method string
		params []any
	}{
		{"add", []any{int64(3), int64(4)}},
		{"none", nil},
		{"validator1.manyTypesTest", []any{int64(1), true, "s", 1.5, time.Unix(0, 0), []byte("b")}},
		{"many", make([]any, 20)},
	} {
		b, err := AppendCall(nil, tc.method, tc.params)
		if err != nil {
			t.Fatal(err)
		}
		method, params, err := DecodeCall(b)
		if err != nil {
			t.Fatalf("DecodeCall(AppendCall(%s)): %v", tc.method, err)
		}
		if method != tc.method || params == nil || !equalValue(params, append([]any{}, tc.params...)) {
			t.Errorf("round trip of %s%v gave %s%v", tc.method, tc.params, method, params)
		}
	}
}

func TestAppendCallBytes(t *testing.T) {
	b, err := AppendCall(nil, "add", []any{int64(3), int64(4)})
	if want := mustHex("92 a3616464 92 03 04"); err != nil || !bytes.Equal(b, want) {
		t.Fatalf("AppendCall = % x, %v; want % x", b, err, want)
	}
}

func TestAppendCallErrors(t *testing.T) {
	if _, err := AppendCall(nil, "\xff", nil); err == nil || !strings.Contains(err.Error(), "at method:") {
		t.Errorf("bad method: err = %v", err)
	}
	if _, err := AppendCall(nil, "m", []any{int64(1), []any{1}}); err == nil ||
		!strings.Contains(err.Error(), "at params[1][0]: Go type int") {
		t.Errorf("bad param: err = %v", err)
	}
}

func TestResultRoundTrip(t *testing.T) {
	for _, v := range roundTripValues() {
		b, err := AppendResult(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeResult(b)
		if err != nil || !equalValue(got, v) {
			t.Errorf("DecodeResult(AppendResult(%.40v)) = %.40v, %v", v, got, err)
		}
	}
}

func TestAppendResultBytes(t *testing.T) {
	b, err := AppendResult(nil, int64(7))
	if want := mustHex("92 00 07"); err != nil || !bytes.Equal(b, want) {
		t.Fatalf("AppendResult(7) = % x, %v; want % x", b, err, want)
	}
	b = AppendFaultResult(nil, &Fault{Code: CodeInvalidParams, Message: "no"})
	if want := mustHex("93 01 d1 80a6 a2 6e6f"); !bytes.Equal(b, want) {
		t.Fatalf("AppendFaultResult = % x; want % x", b, want)
	}
}

// AppendResult writes an int64 without appendValue; the bytes must be
// the ones appendValue writes, at every width's edge.
func TestAppendResultIntMatchesAppendValue(t *testing.T) {
	for _, n := range []int64{0, 1, 127, 128, 255, 256, 1<<15 - 1, 1 << 15, 1<<31 - 1, 1 << 31, math.MaxInt64,
		-1, -32, -33, -128, -129, -1 << 15, -1<<15 - 1, -1 << 31, -1<<31 - 1, math.MinInt64} {
		got, err := AppendResult(nil, n)
		want, _ := appendValue([]byte{mpFixArray | 2, StatusOK}, n, 0)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("AppendResult(%d) = % x, %v; want % x", n, got, err, want)
		}
	}
}

func TestFaultResultRoundTrip(t *testing.T) {
	for _, f := range []*Fault{
		{Code: CodeApplicationError, Message: "boom"},
		{Code: 0, Message: ""},
		{Code: 1 << 40, Message: strings.Repeat("long ", 100)},
		{Code: -1, Message: "bad \xff utf-8"},
	} {
		v, err := DecodeResult(AppendFaultResult(nil, f))
		var got *Fault
		if v != nil || !errors.As(err, &got) {
			t.Fatalf("DecodeResult(fault %v) = %v, %v", f, v, err)
		}
		want := *f
		want.Message = strings.ToValidUTF8(want.Message, "\uFFFD")
		if *got != want {
			t.Errorf("fault round trip: got %+v, want %+v", *got, want)
		}
	}
}

func TestDecodeCallMalformed(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "byte 0: input ends where Call should start"},
		{"01", "byte 0: Call is int, want array"},
		{"93 a161 90 c0", "byte 0: Call has 3 elements, want 2"},
		{"92 01 90", "byte 1: method name is int, want str"},
		{"92 a161 c0", "byte 3: params is nil, want array"},
		{"92 a161 91 c1", "byte 4: byte 0xc1"},
		{"92 a161 90 c0", "byte 4: 1 unexpected bytes after the Call"},
		{"92 a161 dd ffffffff", "byte 3: array claims 4294967295 elements"},
	} {
		_, _, err := DecodeCall(mustHex(tc.in))
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeCall(%s): err = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestDecodeResultMalformed(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "byte 0: input ends where Result should start"},
		{"c0", "byte 0: Result is nil, want array"},
		{"90", "byte 0: Result is an empty array"},
		{"91 00", "byte 0: success Result has 1 elements, want 2"},
		{"93 00 01 02", "byte 0: success Result has 3 elements"},
		{"92 01 01", "byte 0: fault Result has 2 elements, want 3"},
		{"92 02 01", "byte 1: Result status is 2"},
		{"92 a130 01", "byte 1: Result status is str, want int"},
		{"92 00 07 00", "byte 3: 1 unexpected bytes after the Result"},
		{"93 01 a178 a178", "byte 2: fault code is str, want int"},
		{"93 01 01 01", "byte 3: fault message is int, want str"},
		{"93 01 01 a178 00", "byte 5: 1 unexpected bytes"},
		{"92 00", "byte 2: input ends where a value should start"},
		{"92 00 81 01 01", "byte 3: map key is int, want str"},
	} {
		v, err := DecodeResult(mustHex(tc.in))
		if v != nil || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeResult(%s) = %v, %v; want an error containing %q", tc.in, v, err, tc.want)
		}
	}
}

func TestDecodeResultFaultIsNotMalformed(t *testing.T) {
	_, err := DecodeResult(mustHex("93 01 01 a178"))
	if errors.Is(err, ErrMalformed) {
		t.Fatal("a fault is reported as malformed")
	}
}

func TestDecodeResultWithinBoundsValues(t *testing.T) {
	// [0, [[], [], []]]: three elements in the outer array, none inside.
	three := []byte{0x92, 0x00, 0x93, 0x90, 0x90, 0x90}
	if _, err := DecodeResultWithin(three, 3); err != nil {
		t.Fatalf("3 values within 3: %v", err)
	}
	if _, err := DecodeResultWithin(three, 2); !errors.Is(err, ErrTooManyValues) {
		t.Fatalf("3 values within 2: %v, want ErrTooManyValues", err)
	}
	if _, err := DecodeResult(three); err != nil {
		t.Fatalf("DecodeResult bounds nothing: %v", err)
	}
	// {"a": [1, 2]}: one member and two elements.
	nested := []byte{0x92, 0x00, 0x81, 0xa1, 'a', 0x92, 0x01, 0x02}
	if _, err := DecodeResultWithin(nested, 2); !errors.Is(err, ErrTooManyValues) {
		t.Fatalf("3 values within 2: %v, want ErrTooManyValues", err)
	}
}
