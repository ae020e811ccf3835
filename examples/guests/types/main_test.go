package main

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

func TestMethods(t *testing.T) {
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		h      guest.Handler
		params guest.Params
		want   any
		code   int
		msg    string
	}{
		{name: "typeOf int", h: typeOf, params: guest.Params{int64(1)}, want: "int"},
		{name: "typeOf i8", h: typeOf, params: guest.Params{int64(1) << 40}, want: "i8"},
		{name: "typeOf struct", h: typeOf, params: guest.Params{abi.Struct{}}, want: "struct"},
		{name: "typeOf time", h: typeOf, params: guest.Params{when}, want: "dateTime.iso8601"},
		{name: "typeOf nil", h: typeOf, params: guest.Params{nil}, want: "nil"},
		{name: "reverse", h: reverse, params: guest.Params{[]any{int64(1), "b", nil}}, want: []any{nil, "b", int64(1)}},
		{name: "reverse empty", h: reverse, params: guest.Params{[]any{}}, want: []any{}},
		{name: "reverse string", h: reverse, params: guest.Params{"abc"}, code: abi.CodeInvalidParams, msg: "param 1: want array, got string"},
		{name: "keys", h: keys, params: guest.Params{abi.Struct{{Name: "z"}, {Name: "a"}}}, want: []string{"z", "a"}},
		{name: "keys array", h: keys, params: guest.Params{[]any{}}, code: abi.CodeInvalidParams, msg: "param 1: want struct, got array"},
		{name: "fault", h: fault, params: guest.Params{int64(4), "Too many parameters."}, code: 4, msg: "Too many parameters."},
		{name: "fault big code", h: fault, params: guest.Params{int64(1) << 40, "x"}, code: abi.CodeInvalidParams, msg: "fault: code 1099511627776 does not fit in an <int>"},
		{name: "fail", h: fail, params: guest.Params{"boom"}, code: -1, msg: "boom"},
	} {
		v, err := tc.h(tc.params)
		if tc.code == 0 {
			if err != nil || !reflect.DeepEqual(v, tc.want) {
				t.Errorf("%s: got %#v, %v; want %#v", tc.name, v, err, tc.want)
			}
			continue
		}
		var f *abi.Fault
		switch {
		case tc.code == -1: // a plain error
			if err == nil || errors.As(err, &f) || err.Error() != tc.msg {
				t.Errorf("%s: err = %#v, want a plain error %q", tc.name, err, tc.msg)
			}
		case !errors.As(err, &f) || f.Code != tc.code || f.Message != tc.msg:
			t.Errorf("%s: err = %v, want fault %d %q", tc.name, err, tc.code, tc.msg)
		}
	}
}

func TestSampleHasEveryType(t *testing.T) {
	v, err := sample(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := v.(abi.Struct)
	if len(s) != len(abi.TypeNames) {
		t.Fatalf("sample has %d members, want %d", len(s), len(abi.TypeNames))
	}
	for _, m := range s {
		if got := abi.TypeName(m.Value); got != m.Name {
			t.Errorf("member %s holds a %s", m.Name, got)
		}
	}
}

func TestEcho(t *testing.T) {
	when := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	nested := []any{int64(1), abi.Struct{{Name: "a", Value: []any{nil, []byte("x"), 2.5, when, true}}}}
	for _, want := range []any{int64(7), nil, nested, when, "", int64(-1) << 40} {
		if v, err := guest.Invoke("echo", want); err != nil || !reflect.DeepEqual(v, want) {
			t.Errorf("echo(%#v) = %#v, %v", want, v, err)
		}
	}
	for _, params := range [][]any{nil, {1, 2}} {
		_, err := guest.Invoke("echo", params...)
		var f *abi.Fault
		if want := "echo takes 1 param, got " + strconv.Itoa(len(params)); !errors.As(err, &f) ||
			f.Code != abi.CodeInvalidParams || f.Message != want {
			t.Errorf("echo with %d params: err = %v, want %q", len(params), err, want)
		}
	}
}

// TestThroughDispatch checks the whole path, normalization and encoding
// included: fail's plain error becomes an application error.
func TestThroughDispatch(t *testing.T) {
	if v, err := guest.Invoke("keys", abi.Struct{{Name: "b", Value: 1}, {Name: "a", Value: 2}}); err != nil || !reflect.DeepEqual(v, []any{"b", "a"}) {
		t.Fatalf("keys = %v, %v", v, err)
	}
	_, err := guest.Invoke("fail", "boom")
	var f *abi.Fault
	if !errors.As(err, &f) || f.Code != abi.CodeApplicationError || f.Message != "boom" {
		t.Fatalf("fail: err = %v", err)
	}
	if len(guest.Manifest().Methods) != 7 {
		t.Fatalf("manifest: %+v", guest.Manifest())
	}
}
