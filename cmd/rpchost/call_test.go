package main

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

func TestParseArg(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want any
	}{
		{"3", int64(3)},
		{"-12", int64(-12)},
		{"-1", int64(-1)},
		{"9223372036854775807", int64(9223372036854775807)},
		{"1.5", 1.5},
		{"3.0", 3.0},
		{"1e3", 1000.0},
		{".5", 0.5},
		{"-2.", -2.0},
		{"1.2.3", "1.2.3"},
		{"e5", "e5"},
		{"true", true},
		{"false", false},
		{"nil", nil},
		{"hello", "hello"},
		{"", ""},
		{"3abc", "3abc"},
		{"http://x:1/", "http://x:1/"},
		{`"3"`, "3"},
		{"i4:3", int64(3)},
		{"int:-3", int64(-3)},
		{"i8:5000000000", int64(5000000000)},
		{"double:3", 3.0},
		{"bool:true", true},
		{"boolean:0", false},
		{"str:3", "3"},
		{"string:nil", "nil"},
		{"datetime:2026-01-02T03:04:05Z", at},
		{"datetime:2026-01-02T04:04:05+01:00", at},
		{"dateTime.iso8601:20260102T03:04:05", at},
		{"base64:aGk=", []byte("hi")},
		{"json:null", nil},
		{"[1, 2.5, \"x\", [true], null]", []any{int64(1), 2.5, "x", []any{true}, nil}},
		{`{"moe": 1, "n": {"k": "v"}}`, abi.Struct{{Name: "moe", Value: int64(1)}, {Name: "n", Value: abi.Struct{{Name: "k", Value: "v"}}}}},
		{`{"b": 1, "a": 2}`, abi.Struct{{Name: "b", Value: int64(1)}, {Name: "a", Value: int64(2)}}},
		// The JSON-RPC front end's mapping (README "JSON-RPC").
		{`[{"__datetime__": "2026-01-02T03:04:05Z"}, {"__base64__": "aGk="}, 3.0, 9007199254740993]`, []any{at, []byte("hi"), 3.0, int64(9007199254740993)}},
		{`{"at": {"__datetime__": "20260102T03:04:05"}, "b": {"__base64__": "aGk"}}`, abi.Struct{{Name: "at", Value: at}, {Name: "b", Value: []byte("hi")}}},
		// The command line's older tags, still read for last week's scripts.
		{`[{"$datetime": "2026-01-02T03:04:05Z"}, {"$base64": "aGk="}, {"$double": 3}, {"$int": 4}]`, []any{at, []byte("hi"), 3.0, int64(4)}},
		{`{"r": [{"x": {"$datetime": "2026-01-02T03:04:05Z"}}]}`, abi.Struct{{Name: "r", Value: []any{abi.Struct{{Name: "x", Value: at}}}}}},
		// Any other name is a struct's member, as the JSON-RPC front end reads it.
		{`{"$when": 1}`, abi.Struct{{Name: "$when", Value: int64(1)}}},
	}
	for _, tc := range cases {
		got, err := parseArg(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseArg(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"[1, 2", "99999999999999999999", "-9223372036854775809", "i4:3000000000", "double:x",
		"double:Inf", "bool:maybe", "datetime:yesterday", "base64:!!", `{"$datetime": 3}`,
		`{"__datetime__": 3}`, `{"__datetime__": "yesterday"}`, `{"__base64__": "!!"}`, `{"__base64__": "aGk=", "x": 1}`, `{"a": 1, "a": 2}`,
		strings.Repeat("[", 100) + strings.Repeat("]", 100), "json:\"\xff\"", "json:[1] [2]", "[123456789012345678901234]", "1e400"} {
		if v, err := parseArg(bad); err == nil {
			t.Errorf("parseArg(%q) = %#v, want an error", bad, v)
		}
	}
}

func TestResultsPrintInAFormThatRoundTrips(t *testing.T) {
	values := []any{
		int64(3), int64(-1 << 40), 3.0, 0.1, 1e300, -2.5, true, nil, "x\"y<", "3", []byte{0, 1, 2},
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), []any{}, abi.Struct{},
		[]any{int64(1), abi.Struct{{Name: "z", Value: 1.0}, {Name: "a", Value: []any{nil, "s"}}}},
	}
	for _, v := range values {
		out, err := formatValue(v)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseJSON(out)
		if err != nil || !reflect.DeepEqual(back, v) {
			t.Errorf("%#v printed as %s read back as %#v, %v", v, out, back, err)
		}
	}
	if out, _ := formatValue(3.0); out != "3.0" {
		t.Errorf("3.0 printed as %s", out)
	}
	if out, _ := formatValue(abi.Struct{{Name: "b", Value: int64(1)}, {Name: "a", Value: int64(2)}}); out != `{"b":1,"a":2}` {
		t.Errorf("a struct printed as %s, want {\"b\":1,\"a\":2}", out)
	}
	// A short result is printed as the JSON-RPC front end writes it.
	for v, want := range map[string]any{
		`{"__base64__":"aGk="}`:                   []byte("hi"),
		`{"__datetime__":"2026-01-02T03:04:05Z"}`: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		`9007199254740993`:                        int64(1<<53 + 1),
		`1e+21`:                                   1e21,
	} {
		if out, err := formatValue(want); out != v {
			t.Errorf("%#v printed as %s, %v; want %s", want, out, err, v)
		}
	}
	// A wide one is indented for a person, its members in order.
	wide := abi.Struct{{Name: "z", Value: strings.Repeat("x", 80)}, {Name: "a", Value: []byte("hi")}}
	out, err := formatValue(wide)
	const want = "{\n  \"z\": \"" + "%s" + "\",\n  \"a\": {\n    \"__base64__\": \"aGk=\"\n  }\n}"
	if err != nil || out != fmt.Sprintf(want, strings.Repeat("x", 80)) {
		t.Errorf("a wide struct printed as\n%s\n%v", out, err)
	}
	if _, err := formatValue(math.NaN()); err == nil {
		t.Error("NaN printed; want an error")
	}
}
