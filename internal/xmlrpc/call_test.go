package xmlrpc

import "testing"

func TestParseRequestShapes(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		method string
		params []any
	}{
		{"minimal", `<methodCall><methodName>a.b</methodName></methodCall>`, "a.b", []any{}},
		{"empty params", `<methodCall><methodName>m</methodName><params></params></methodCall>`, "m", []any{}},
		{"self-closing params", `<methodCall><methodName>m</methodName><params/></methodCall>`, "m", []any{}},
		{"params first", `<methodCall><params><param><value>x</value></param></params><methodName>m</methodName></methodCall>`, "m", []any{"x"}},
		{"name kept as is", `<methodCall><methodName> m </methodName></methodCall>`, " m ", []any{}},
		{"name with entity", `<methodCall><methodName>a&amp;b</methodName></methodCall>`, "a&b", []any{}},
		{"whitespace and comments", "<?xml version=\"1.0\"?>\n<!-- hi -->\n<methodCall>\n <!-- c --> <methodName>m</methodName>\n<params>\n<?pi x?><param>\n<value><int>1</int></value>\n</param></params>\n</methodCall>\n<!-- bye -->\n", "m", []any{int64(1)}},
		{"prefixed structure", `<m:methodCall xmlns:m="urn:x"><m:methodName>m</m:methodName><m:params><m:param><m:value><m:int>1</m:int></m:value></m:param></m:params></m:methodCall>`, "m", []any{int64(1)}},
		{"attributes ignored", `<methodCall xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions" a = 'x>y' b="&amp;&#65;"><methodName>m</methodName><params><param><value><ex:i8>5</ex:i8></value></param></params></methodCall>`, "m", []any{int64(5)}},
		{"two params", call("<value><i4>1</i4></value>", "<value>two</value>"), "m", []any{int64(1), "two"}},
		{"end tag with space", `<methodCall ><methodName >m</methodName  ></methodCall >`, "m", []any{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := ParseRequest([]byte(c.body), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != c.method {
				t.Errorf("method %q, want %q", req.Method, c.method)
			}
			if req.Params == nil || !equalValue(req.Params, c.params) {
				t.Errorf("params %s, want %s", show(req.Params), show(c.params))
			}
		})
	}
}

func TestMethodCallErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{"wrong root", `<methodResponse/>`, ErrInvalidRequest, []string{"<methodResponse>", "want <methodCall>"}},
		{"no method name", `<methodCall><params/></methodCall>`, ErrInvalidRequest, []string{"no <methodName>"}},
		{"self-closing root", `<methodCall/>`, ErrInvalidRequest, []string{"no <methodName>"}},
		{"empty method name", `<methodCall><methodName></methodName></methodCall>`, ErrInvalidRequest, []string{"<methodName> is empty"}},
		{"self-closing method name", `<methodCall><methodName/></methodCall>`, ErrInvalidRequest, []string{"is empty"}},
		{"two method names", `<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>`, ErrInvalidRequest, []string{"second <methodName>"}},
		{"two params", `<methodCall><methodName>a</methodName><params/><params/></methodCall>`, ErrInvalidRequest, []string{"second <params>"}},
		{"element in method name", `<methodCall><methodName>a<b/></methodName></methodCall>`, ErrInvalidRequest, []string{"only text", "<b>"}},
		{"unknown child", `<methodCall><methodName>a</methodName><foo/></methodCall>`, ErrInvalidRequest, []string{"unexpected <foo>"}},
		{"text in methodCall", `<methodCall>hello<methodName>a</methodName></methodCall>`, ErrInvalidRequest, []string{`unexpected text "hello" in <methodCall>`}},
		{"text in params", `<methodCall><methodName>a</methodName><params>x</params></methodCall>`, ErrInvalidRequest, []string{`unexpected text "x" in <params>`}},
		{"cdata in params", `<methodCall><methodName>a</methodName><params><![CDATA[x]]></params></methodCall>`, ErrInvalidRequest, []string{"unexpected text"}},
		{"entity in params", `<methodCall><methodName>a</methodName><params>&amp;</params></methodCall>`, ErrInvalidRequest, []string{`unexpected text "&"`}},
		{"undefined entity in params", `<methodCall><methodName>a</methodName><params>&foo;</params></methodCall>`, ErrNotWellFormed, []string{"undefined entity &foo;"}},
		{"non-param in params", `<methodCall><methodName>a</methodName><params><value/></params></methodCall>`, ErrInvalidRequest, []string{"unexpected <value> in <params>; want <param>"}},
		{"empty param", call(""), ErrInvalidRequest, []string{"must hold one <value>"}},
		{"self-closing param", `<methodCall><methodName>a</methodName><params><param/></params></methodCall>`, ErrInvalidRequest, []string{"<param/> holds no <value>"}},
		{"two values in param", call("<value>1</value><value>2</value>"), ErrInvalidRequest, []string{"unexpected <value> in <param>; want </param>"}},
		{"text after value in param", call("<value>1</value>x"), ErrInvalidRequest, []string{`unexpected text "x" in <param>`}},
	})
}
