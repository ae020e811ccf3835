package main

import (
	"reflect"
	"testing"
)

func TestParseArg(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{"3", int64(3)},
		{"-12", int64(-12)},
		{"1.5", 1.5},
		{"1e3", 1000.0},
		{"true", true},
		{"false", false},
		{"hello", "hello"},
		{"", ""},
		{"3abc", "3abc"},
		{`"3"`, "3"},
		{"[1, 2.5, \"x\", [true]]", []any{int64(1), 2.5, "x", []any{true}}},
		{`{"moe": 1, "n": {"k": "v"}}`, map[string]any{"moe": int64(1), "n": map[string]any{"k": "v"}}},
	}
	for _, tc := range cases {
		got, err := parseArg(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseArg(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
	if _, err := parseArg("[1, 2"); err == nil {
		t.Error("parseArg of broken JSON succeeded")
	}
}
