package xmlrpc

import (
	"strings"
	"testing"
)

func TestParseRequestErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{"empty body", ``, ErrNotWellFormed, []string{"no root element"}},
		{"only whitespace", "  \n", ErrNotWellFormed, []string{"no root element"}},
		{"end tag first", `</methodCall>`, ErrNotWellFormed, []string{"no start tag"}},
		{"mismatched end", `<methodCall><methodName>a</methodName></methodcall>`, ErrNotWellFormed, []string{"</methodcall> does not match start tag <methodCall> at line 1, column 1"}},
		{"prefix mismatch", `<a:methodCall><methodName>a</methodName></b:methodCall>`, ErrNotWellFormed, []string{"does not match"}},
		{"truncated", `<methodCall><methodName>a</methodName>`, ErrNotWellFormed, []string{"document ends inside <methodCall>"}},
		{"truncated in value", `<methodCall><methodName>a</methodName><params><param><value><string>abc`, ErrNotWellFormed, []string{"document ends inside <string>"}},
		{"truncated in tag", `<methodCall><methodName`, ErrNotWellFormed, []string{"document ends inside start tag <methodName>"}},
		{"truncated after lt", `<methodCall><methodName>a</methodName><`, ErrNotWellFormed, []string{"document ends inside a tag"}},
		{"truncated end tag", `<methodCall><methodName>a</methodName></methodCall`, ErrNotWellFormed, []string{"document ends inside end tag </methodCall>"}},
		{"junk after root", `<methodCall><methodName>a</methodName></methodCall>x`, ErrNotWellFormed, []string{`text "x" outside the root element`}},
		{"second root", `<methodCall><methodName>a</methodName></methodCall><methodCall/>`, ErrNotWellFormed, []string{"junk after the root element"}},
		{"text before root", `x<methodCall/>`, ErrNotWellFormed, []string{"outside the root element"}},
		{"doctype", `<!DOCTYPE methodCall [<!ENTITY a "b">]><methodCall><methodName>&a;</methodName></methodCall>`, ErrInvalidRequest, []string{"DTDs and entity declarations are refused", "<!DOCTYPE"}},
		{"entity decl inside", `<methodCall><!ENTITY a "b"><methodName>a</methodName></methodCall>`, ErrInvalidRequest, []string{"refused"}},
		{"doctype in value", call(`<value><!DOCTYPE x></value>`), ErrInvalidRequest, []string{"refused"}},
		{"cdata outside root", `<![CDATA[x]]><methodCall/>`, ErrNotWellFormed, []string{"CDATA section outside the root element"}},
		{"lt without name", `<methodCall>< methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"not followed by an element name"}},
		{"bad attribute", `<methodCall a><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"attribute a of <methodCall> has no '='"}},
		{"unquoted attribute", `<methodCall a=b><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"not quoted"}},
		{"unclosed attribute", `<methodCall a="b><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"not closed"}},
		{"lt in attribute", `<methodCall a="<"><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"'<' in the value of attribute a"}},
		{"bad entity in attribute", `<methodCall a="&x;"><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"undefined entity &x;"}},
		{"attributes without space", `<methodCall a="1"b="2"><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"unexpected \"b\" in start tag <methodCall>"}},
		{"junk in end tag", `<methodCall><methodName>a</methodName x>`, ErrNotWellFormed, []string{"in end tag </methodName>"}},
		{"slash without gt", `<methodCall/ ><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"in start tag <methodCall>"}},
		{"unclosed comment", `<methodCall><!-- x`, ErrNotWellFormed, []string{"comment is not closed"}},
		{"double dash in comment", `<methodCall><!-- a -- b --><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{`"--" inside a comment`}},
		{"unclosed pi", `<methodCall><?x `, ErrNotWellFormed, []string{"processing instruction is not closed"}},
		{"pi without target", `<methodCall><? x ?><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"no target"}},
		{"late xml declaration", `<methodCall><?xml version="1.0"?><methodName>a</methodName></methodCall>`, ErrNotWellFormed, []string{"only at the very start"}},
		{"xml declaration after space", ` <?xml version="1.0"?><methodCall/>`, ErrNotWellFormed, []string{"only at the very start"}},
		{"ampersand alone", call(`<value>a & b</value>`), ErrNotWellFormed, []string{"does not start a reference"}},
		{"truncated in cdata value", `<methodCall><methodName>a</methodName><params><param><value><string>a&amp;b`, ErrNotWellFormed, []string{"document ends inside <string>"}},
		{"cdata end in text", call(`<value>a ]]> b</value>`), ErrNotWellFormed, []string{`"]]>" is not allowed in text`}},
		{"unclosed cdata", call(`<value><![CDATA[abc</value>`), ErrNotWellFormed, []string{"CDATA section in <value> is not closed"}},
	})
}

// TestParentEnd checks that the end tags child and next match whole, or
// against their parent, come back as reading them gives them.
func TestParentEnd(t *testing.T) {
	for _, doc := range []string{
		"<params></params>x",
		"<params> \n\t</params>x",
		"<ex:params></ex:params>x",
		"<a:b:params  x='1'></a:b:params>x",
		"<params></params \n>x",
		"<params/></params>x",
	} {
		end := strings.LastIndex(doc, "</")
		read := scanner{buf: []byte(doc), pos: end}
		want, err := read.tag()
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"child", "next"} {
			d := decoder{scanner: scanner{buf: []byte(doc)}}
			parent, err := d.tag()
			if err != nil {
				t.Fatal(err)
			}
			var got tag
			if name == "child" {
				got, err = d.child(parent, &litParam, &litParamsEnd)
			} else {
				got, err = d.next(parent)
			}
			if err != nil || got.off != want.off || got.local != want.local || got.nameEnd != want.nameEnd || !got.isEnd() || d.pos != read.pos {
				t.Errorf("%s in %q: got %+v at %d, %v; want %+v at %d", name, doc, got, d.pos, err, want, read.pos)
			}
			if err := d.matchEnd(parent, got); err != nil {
				t.Errorf("%s in %q: %v", name, doc, err)
			}
		}
	}
}
