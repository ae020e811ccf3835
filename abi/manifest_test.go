package abi

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestManifestRoundTrip(t *testing.T) {
	for _, m := range []Manifest{
		{ABI: Version},
		{ABI: Version, Methods: []MethodDesc{{Name: "add"}}},
		{ABI: Version, Methods: []MethodDesc{
			{Name: "add", Help: "Adds.", Signatures: [][]string{{"int", "int", "int"}, {"string", "string", "string"}}},
			{Name: "a.b:c/d", Help: "héllo"},
		}},
	} {
		b, err := AppendManifest(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeManifest(b)
		if err != nil {
			t.Fatalf("DecodeManifest(AppendManifest(%+v)): %v", m, err)
		}
		// Absent signatures come back as an empty list.
		for i := range m.Methods {
			if m.Methods[i].Signatures == nil {
				m.Methods[i].Signatures = [][]string{}
			}
		}
		if m.Methods == nil {
			m.Methods = []MethodDesc{}
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("round trip: got %+v, want %+v", got, m)
		}
	}
}

func TestDecodeManifestLenient(t *testing.T) {
	// Members in any order, unknown members ignored, help and signatures absent.
	b, err := AppendValue(nil, Struct{
		{"methods", []any{Struct{{"extra", int64(1)}, {"name", "x"}}, Struct{{"name", "y"}, {"signatures", nil}}}},
		{"future", "ignored"},
		{"abi", int64(1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := DecodeManifest(b)
	want := Manifest{ABI: 1, Methods: []MethodDesc{{Name: "x"}, {Name: "y"}}}
	if err != nil || !reflect.DeepEqual(m, want) {
		t.Fatalf("DecodeManifest = %+v, %v; want %+v", m, err, want)
	}
}

func TestDecodeManifestOtherVersion(t *testing.T) {
	b, _ := AppendValue(nil, Struct{{"abi", int64(2)}, {"methods", "whatever"}})
	m, err := DecodeManifest(b)
	if m.ABI != 2 || err == nil || !strings.Contains(err.Error(), "version 2") || !strings.Contains(err.Error(), "version 1") {
		t.Fatalf("DecodeManifest(v2) = %+v, %v", m, err)
	}
}

func TestDecodeManifestMalformed(t *testing.T) {
	method := func(ms ...Member) Struct { return Struct(ms) }
	man := func(methods ...any) any { return Struct{{"abi", int64(1)}, {"methods", methods}} }
	for _, tc := range []struct {
		v    any
		want string
	}{
		{[]any{}, "manifest is array, want struct"},
		{Struct{{"methods", []any{}}}, `manifest has no "abi" member`},
		{Struct{{"abi", "1"}}, "manifest abi is string, want int"},
		{Struct{{"abi", int64(1)}}, `manifest has no "methods" member`},
		{Struct{{"abi", int64(1)}, {"methods", Struct{}}}, "manifest methods is struct, want array"},
		{man("add"), "manifest methods[0] is string, want struct"},
		{man(method()), `manifest methods[0] has no "name" member`},
		{man(method(Member{"name", int64(1)})), "manifest methods[0].name is int, want string"},
		{man(method(Member{"name", "x"}, Member{"help", int64(1)})), "methods[0].help is int, want string"},
		{man(method(Member{"name", "x"}, Member{"signatures", "int"})), "methods[0].signatures is string, want array"},
		{man(method(Member{"name", "x"}, Member{"signatures", []any{"int"}})), "methods[0].signatures[0] is string, want array"},
		{man(method(Member{"name", "x"}, Member{"signatures", []any{[]any{int64(1)}}})), "signatures[0][0] is int, want string"},
		{man(method(Member{"name", "x"}, Member{"signatures", []any{[]any{"integer"}}})), `"integer" is not an XML-RPC type name`},
		{man(method(Member{"name", "x"}, Member{"signatures", []any{[]any{}}})), "signature is empty"},
		{man(method(Member{"name", "_x"})), `starts with "_"`},
		{man(method(Member{"name", "a b"})), `' ' at byte 1`},
		{man(method(Member{"name", "x"}), method(Member{"name", "x"})), "method x is described twice"},
	} {
		b, err := AppendValue(nil, tc.v)
		if err != nil {
			t.Fatal(err)
		}
		_, err = DecodeManifest(b)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeManifest(%v): err = %v, want %q", tc.v, err, tc.want)
		}
	}
	if _, err := DecodeManifest(mustHex("80 c0")); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "byte 1: 1 unexpected bytes") {
		t.Errorf("trailing bytes: err = %v", err)
	}
	if _, err := DecodeManifest(nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty: err = %v", err)
	}
}

func TestAppendManifestChecks(t *testing.T) {
	for _, tc := range []struct {
		m    Manifest
		want string
	}{
		{Manifest{ABI: 1, Methods: []MethodDesc{{Name: ""}}}, "method name is empty"},
		{Manifest{ABI: 1, Methods: []MethodDesc{{Name: "a"}, {Name: "a"}}}, "described twice"},
		{Manifest{ABI: 1, Methods: []MethodDesc{{Name: "a", Signatures: [][]string{{"int", "any"}}}}}, `"any"`},
		{Manifest{ABI: 1, Methods: []MethodDesc{{Name: "a", Help: "\xff"}}}, "help: abi: cannot encode value: string is not valid UTF-8"},
	} {
		if _, err := AppendManifest(nil, tc.m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("AppendManifest(%+v): err = %v, want %q", tc.m, err, tc.want)
		}
	}
}
