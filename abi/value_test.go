package abi

import (
	"testing"
	"time"
)

func TestTypeName(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, "nil"}, {true, "boolean"}, {int64(1), "int"}, {int64(-1 << 31), "int"}, {int64(1 << 31), "i8"},
		{int64(-1<<31 - 1), "i8"}, {1.5, "double"}, {"", "string"}, {[]byte{}, "base64"}, {[]any{}, "array"},
		{Struct{}, "struct"}, {time.Time{}, "dateTime.iso8601"}, {1, "int"}, {map[string]any{}, "map[string]interface {}"},
	} {
		if got := TypeName(tc.v); got != tc.want {
			t.Errorf("TypeName(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestStructGet(t *testing.T) {
	s := Struct{{"a", int64(1)}, {"b", nil}}
	if v, ok := s.Get("a"); !ok || v != int64(1) {
		t.Errorf("Get(a) = %v, %v", v, ok)
	}
	if v, ok := s.Get("b"); !ok || v != nil {
		t.Errorf("Get(b) = %v, %v", v, ok)
	}
	if _, ok := s.Get("c"); ok {
		t.Error("Get(c) found a member")
	}
}
