package main

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

func TestAdd(t *testing.T) {
	for _, tc := range []struct {
		params guest.Params
		want   any
		msg    string // a CodeInvalidParams fault when not ""
	}{
		{params: guest.Params{int64(3), int64(4)}, want: int64(7)},
		{params: guest.Params{int64(-3), int64(1) << 40}, want: int64(1)<<40 - 3},
		{params: guest.Params{int64(math.MaxInt64), int64(0)}, want: int64(math.MaxInt64)},
		{params: guest.Params{int64(math.MinInt64), int64(-1)}, msg: "add: -9223372036854775808 + -1 overflows a 64-bit integer"},
		{params: guest.Params{int64(math.MaxInt64), int64(1)}, msg: "add: 9223372036854775807 + 1 overflows a 64-bit integer"},
		{params: guest.Params{1.5, int64(2)}, want: 3.5},
		{params: guest.Params{int64(2), 1.5}, want: 3.5},
		{params: guest.Params{1.25, 1.25}, want: 2.5},
		{params: guest.Params{math.MaxFloat64, math.MaxFloat64}, msg: "add: the sum overflows a double"},
		{params: guest.Params{"hello", "world"}, want: "helloworld"},
		{params: guest.Params{"", ""}, want: ""},
		{params: guest.Params{[]byte("ab"), []byte("cd")}, want: []byte("abcd")},
		{params: guest.Params{[]any{int64(1)}, []any{"x", nil}}, want: []any{int64(1), "x", nil}},
		{params: guest.Params{[]any{}, []any{}}, want: []any{}},
		{params: guest.Params{int64(1), "x"}, msg: "add: cannot add int and string"},
		{params: guest.Params{"x", int64(1) << 40}, msg: "add: cannot add string and i8"},
		{params: guest.Params{true, true}, msg: "add: cannot add boolean and boolean"},
		{params: guest.Params{nil, nil}, msg: "add: cannot add nil and nil"},
		{params: guest.Params{abi.Struct{}, abi.Struct{}}, msg: "add: cannot add struct and struct"},
		{params: guest.Params{[]byte("a"), "b"}, msg: "add: cannot add base64 and string"},
		{params: guest.Params{int64(1)}, msg: "method takes 2 params, got 1"},
		{params: guest.Params{int64(1), int64(2), int64(3)}, msg: "method takes 2 params, got 3"},
	} {
		v, err := add(tc.params)
		if tc.msg == "" {
			if err != nil || !reflect.DeepEqual(v, tc.want) {
				t.Errorf("add%v = %#v, %v; want %#v", tc.params, v, err, tc.want)
			}
			continue
		}
		var f *abi.Fault
		if !errors.As(err, &f) || f.Code != abi.CodeInvalidParams || f.Message != tc.msg {
			t.Errorf("add%v: err = %v, want fault %d %q", tc.params, err, abi.CodeInvalidParams, tc.msg)
		}
	}
}

func TestAddDoesNotShareInputs(t *testing.T) {
	a := make([]any, 1, 10)
	v, _ := add(guest.Params{a, []any{int64(2)}})
	v.([]any)[0] = "changed"
	if a[0] != nil {
		t.Fatal("add's result shares its first param's array")
	}
}

func TestAddThroughDispatch(t *testing.T) {
	if v, err := guest.Invoke("add", 3, 4); v != int64(7) || err != nil {
		t.Fatalf("add(3, 4) = %v, %v", v, err)
	}
	if _, err := guest.Invoke("add", 3); err == nil || err.Error() != "fault -32602: add takes 2 params, got 1" {
		t.Fatalf("add(3): err = %v", err)
	}
}
