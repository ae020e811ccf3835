package xmlrpc

import (
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

func TestCompoundValues(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    any
	}{
		{"array", `<array><data><value><int>1</int></value><value>two</value><value><nil/></value></data></array>`, []any{int64(1), "two", nil}},
		{"array empty", `<array><data></data></array>`, []any{}},
		{"array self-closing data", `<array><data/></array>`, []any{}},
		{"array whitespace", "<array>\n <data>\n  <value>a</value>\n </data>\n</array>", []any{"a"}},
		{"array nested", `<array><data><value><array><data><value><array><data/></array></value></data></array></value></data></array>`, []any{[]any{[]any{}}}},
		{"array long", `<array><data>` + strings.Repeat(`<value><i4>1</i4></value>`, 20) + `</data></array>`, func() any {
			a := make([]any, 20)
			for i := range a {
				a[i] = int64(1)
			}
			return a
		}()},
		{"struct", `<struct><member><name>b</name><value><int>2</int></value></member><member><name>a</name><value>x</value></member></struct>`,
			abi.Struct{{Name: "b", Value: int64(2)}, {Name: "a", Value: "x"}}},
		{"struct value first", `<struct><member><value><int>2</int></value><name>b</name></member></struct>`, abi.Struct{{Name: "b", Value: int64(2)}}},
		{"struct empty", `<struct></struct>`, abi.Struct{}},
		{"struct self-closing", `<struct/>`, abi.Struct{}},
		{"struct empty name", `<struct><member><name/><value/></member></struct>`, abi.Struct{{Name: "", Value: ""}}},
		{"struct name kept", `<struct><member><name> a&amp;b </name><value/></member></struct>`, abi.Struct{{Name: " a&b ", Value: ""}}},
		{"struct case sensitive names", `<struct><member><name>a</name><value/></member><member><name>A</name><value/></member></struct>`,
			abi.Struct{{Name: "a", Value: ""}, {Name: "A", Value: ""}}},
		{"struct nested", `<struct><member><name>s</name><value><struct><member><name>a</name><value><array><data><value><boolean>1</boolean></value></data></array></value></member></struct></value></member></struct>`,
			abi.Struct{{Name: "s", Value: abi.Struct{{Name: "a", Value: []any{true}}}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseValue(t, c.content)
			if err != nil {
				t.Fatal(err)
			}
			if !equalValue(got, c.want) {
				t.Fatalf("got %s, want %s", show(got), show(c.want))
			}
			switch g := got.(type) {
			case []any:
				if g == nil {
					t.Error("array is nil")
				}
			case abi.Struct:
				if g == nil {
					t.Error("struct is nil")
				}
			}
		})
	}
}

func TestCompoundErrors(t *testing.T) {
	v := func(s string) string { return call("<value>" + s + "</value>") }
	runErrCases(t, []errCase{
		{"array empty", v(`<array/>`), ErrInvalidRequest, []string{"<array> must hold exactly one <data>"}},
		{"array no data", v(`<array></array>`), ErrInvalidRequest, []string{"exactly one <data>"}},
		{"array value without data", v(`<array><value/></array>`), ErrInvalidRequest, []string{"exactly one <data>"}},
		{"array two data", v(`<array><data/><data/></array>`), ErrInvalidRequest, []string{"unexpected <data> in <array>; want </array>"}},
		{"array text", v(`<array>x<data/></array>`), ErrInvalidRequest, []string{`unexpected text "x" in <array>`}},
		{"data text", v(`<array><data>x</data></array>`), ErrInvalidRequest, []string{`unexpected text "x" in <data>`}},
		{"data non-value", v(`<array><data><int>1</int></data></array>`), ErrInvalidRequest, []string{"unexpected <int> in <data>; want <value>"}},
		{"data bad value", v(`<array><data><value><int>x</int></value></data></array>`), ErrInvalidRequest, []string{"not a 64-bit integer"}},
		{"struct non-member", v(`<struct><name>a</name></struct>`), ErrInvalidRequest, []string{"unexpected <name> in <struct>; want <member>"}},
		{"struct text", v(`<struct>x</struct>`), ErrInvalidRequest, []string{`unexpected text "x" in <struct>`}},
		{"duplicate member", v(`<struct><member><name>a</name><value/></member><member><name>a</name><value/></member></struct>`), ErrInvalidRequest, []string{`<struct> has two members named "a"`}},
		{"member no name", v(`<struct><member><value/></member></struct>`), ErrInvalidRequest, []string{"<member> has no <name>"}},
		{"member no value", v(`<struct><member><name>a</name></member></struct>`), ErrInvalidRequest, []string{`<member> "a" has no <value>`}},
		{"member empty", v(`<struct><member/></struct>`), ErrInvalidRequest, []string{"has no <name>"}},
		{"member two names", v(`<struct><member><name>a</name><name>b</name><value/></member></struct>`), ErrInvalidRequest, []string{"<member> has a second <name>"}},
		{"member two values", v(`<struct><member><name>a</name><value/><value/></member></struct>`), ErrInvalidRequest, []string{"<member> has a second <value>"}},
		{"member other", v(`<struct><member><foo/></member></struct>`), ErrInvalidRequest, []string{"unexpected <foo> in <member>"}},
		{"member text", v(`<struct><member>x<name>a</name><value/></member></struct>`), ErrInvalidRequest, []string{`unexpected text "x" in <member>`}},
		{"name element", v(`<struct><member><name><b/></name><value/></member></struct>`), ErrInvalidRequest, []string{"<name> may hold only text"}},
	})
}

func TestDuplicateMemberInLargeStruct(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 40; i++ {
		b.WriteString("<member><name>m" + strings.Repeat("x", i) + "</name><value/></member>")
	}
	ok := "<struct>" + b.String() + "</struct>"
	if _, err := parseValue(t, ok); err != nil {
		t.Fatal(err)
	}
	for _, dup := range []string{"m", "mxxxxxxxxxxxxxxxxxxx", "m" + strings.Repeat("x", 39)} {
		_, err := parseValue(t, "<struct>"+b.String()+"<member><name>"+dup+"</name><value/></member></struct>")
		checkErr(t, err, ErrInvalidRequest, "two members named")
	}
}
