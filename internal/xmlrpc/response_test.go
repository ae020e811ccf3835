package xmlrpc

import (
	"errors"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

func TestParseResponse(t *testing.T) {
	v, err := ParseResponse([]byte(`<?xml version="1.0"?><methodResponse><params><param><value><i4>7</i4></value></param></params></methodResponse>`), Limits{})
	if err != nil || v != int64(7) {
		t.Fatalf("got %s, %v", show(v), err)
	}
	v, err = ParseResponse([]byte(`<methodResponse><params><param><value/></param></params></methodResponse>`), Limits{})
	if err != nil || v != "" {
		t.Fatalf("got %s, %v", show(v), err)
	}
	_, err = ParseResponse([]byte(`<methodResponse><fault><value><struct>
		<member><name>faultString</name><value>bad &amp; wrong</value></member>
		<member><name>faultCode</name><value><int>-32601</int></value></member>
		</struct></value></fault></methodResponse>`), Limits{})
	var f *abi.Fault
	if !errors.As(err, &f) || f.Code != -32601 || f.Message != "bad & wrong" {
		t.Fatalf("got %v, want fault -32601", err)
	}
	for _, s := range []error{ErrNotWellFormed, ErrUnsupportedEncoding, ErrInvalidCharacter, ErrInvalidRequest, ErrLimit} {
		if errors.Is(err, s) {
			t.Errorf("a fault must not wrap %v", s)
		}
	}
	_, err = ParseResponse([]byte(`<methodResponse><fault><value><struct><member><name>faultCode</name><value><i8>4</i8></value></member><member><name>faultString</name><value><string/></value></member></struct></value></fault></methodResponse>`), Limits{})
	if !errors.As(err, &f) || f.Code != 4 || f.Message != "" {
		t.Fatalf("got %v, want fault 4", err)
	}
}

func TestParseResponseErrors(t *testing.T) {
	const fs = `<member><name>faultString</name><value>x</value></member>`
	const fc = `<member><name>faultCode</name><value><int>1</int></value></member>`
	fault := func(s string) string {
		return `<methodResponse><fault><value>` + s + `</value></fault></methodResponse>`
	}
	cases := []errCase{
		{"wrong root", `<methodCall/>`, ErrInvalidRequest, []string{"want <methodResponse>"}},
		{"empty", `<methodResponse/>`, ErrInvalidRequest, []string{"neither <params> nor <fault>"}},
		{"empty open", `<methodResponse></methodResponse>`, ErrInvalidRequest, []string{"neither <params> nor <fault>"}},
		{"no param", `<methodResponse><params/></methodResponse>`, ErrInvalidRequest, []string{"exactly one <param>"}},
		{"no param open", `<methodResponse><params></params></methodResponse>`, ErrInvalidRequest, []string{"exactly one <param>"}},
		{"two params", `<methodResponse><params><param><value/></param><param><value/></param></params></methodResponse>`, ErrInvalidRequest, []string{"exactly one <param>"}},
		{"params and fault", `<methodResponse><params><param><value/></param></params><fault/></methodResponse>`, ErrInvalidRequest, []string{"unexpected <fault>"}},
		{"other child", `<methodResponse><foo/></methodResponse>`, ErrInvalidRequest, []string{"unexpected <foo>"}},
		{"empty fault", `<methodResponse><fault/></methodResponse>`, ErrInvalidRequest, []string{"int faultCode"}},
		{"fault not struct", fault(`<int>1</int>`), ErrInvalidRequest, []string{"faultString"}},
		{"fault missing string", fault(`<struct>` + fc + `</struct>`), ErrInvalidRequest, []string{"faultString"}},
		{"fault extra member", fault(`<struct>` + fc + fs + `<member><name>x</name><value/></member></struct>`), ErrInvalidRequest, []string{"faultString"}},
		{"fault code string", fault(`<struct>` + fs + `<member><name>faultCode</name><value>1</value></member></struct>`), ErrInvalidRequest, []string{"faultCode"}},
		{"fault two values", `<methodResponse><fault><value/><value/></fault></methodResponse>`, ErrInvalidRequest, []string{"unexpected <value> in <fault>"}},
		{"fault junk after", fault(`<struct>`+fc+fs+`</struct>`) + `x`, ErrNotWellFormed, []string{"outside the root"}},
		{"bad value", `<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>`, ErrInvalidRequest, []string{"not a 64-bit integer"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseResponse([]byte(c.body), Limits{})
			checkErr(t, err, c.kind, c.want...)
		})
	}
}
