package xmlrpc

import "testing"

func TestValueTypes(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    any
	}{
		{"untyped", `hello`, "hello"},
		{"untyped keeps whitespace", "  two words \n\t", "  two words \n\t"},
		{"untyped empty", ``, ""},
		{"untyped entities", `&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;`, `<>&'"AB😀`},
		{"untyped cdata", `a<![CDATA[<&>]]>b`, "a<&>b"},
		{"untyped comment", `a<!-- x -->b<?pi?>c`, "abc"},
		{"untyped crlf", "a\r\nb\rc", "a\nb\nc"},
		{"untyped char ref cr", "a&#13;b", "a\rb"},
		{"string", `<string>hi there</string>`, "hi there"},
		{"string keeps whitespace", "<string> \n x \n </string>", " \n x \n "},
		{"string empty", `<string></string>`, ""},
		{"string self-closing", `<string/>`, ""},
		{"string cdata node style", `<string><![CDATA[a < b && c > d]]></string>`, "a < b && c > d"},
		{"string cdata crlf", "<string><![CDATA[a\r\nb\rc]]></string>", "a\nb\nc"},
		{"string gt literal", `<string>a > b</string>`, "a > b"},
		{"string bracket", `<string>a]b]]c</string>`, "a]b]]c"},
		{"string unicode", `<string>café ☃ 😀</string>`, "café ☃ 😀"},
		{"string beside whitespace", " \n <string>x</string>\n ", "x"},
		{"int", `<int>42</int>`, int64(42)},
		{"int plus", `<int>+42</int>`, int64(42)},
		{"int minus", `<int>-42</int>`, int64(-42)},
		{"int spaces", "<int> \n 7 \t</int>", int64(7)},
		{"int leading zeros", `<int>007</int>`, int64(7)},
		{"int max", `<int>2147483647</int>`, int64(2147483647)},
		{"int min", `<int>-2147483648</int>`, int64(-2147483648)},
		{"i4", `<i4>-3</i4>`, int64(-3)},
		{"int beyond 32 bits, as kolo/xmlrpc and PHP write it", `<int>4294967296</int>`, int64(4294967296)},
		{"i8", `<i8>9223372036854775807</i8>`, int64(9223372036854775807)},
		{"i8 min", `<i8>-9223372036854775808</i8>`, int64(-9223372036854775808)},
		{"i8 small", `<i8>1</i8>`, int64(1)},
		{"ex:i8", `<ex:i8>4294967296</ex:i8>`, int64(4294967296)},
		{"ex:i8 with xmlns", `<ex:i8 xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions">-5</ex:i8>`, int64(-5)},
		{"boolean 1", `<boolean>1</boolean>`, true},
		{"boolean 0", `<boolean> 0 </boolean>`, false},
		{"double", `<double>3.25</double>`, 3.25},
		{"double int form", `<double>3</double>`, 3.0},
		{"double signs", `<double>-0.5</double>`, -0.5},
		{"double plus", `<double>+.5</double>`, 0.5},
		{"double trailing dot", `<double>5.</double>`, 5.0},
		{"double exponent", `<double>1e+100</double>`, 1e100},
		{"double exponent upper", `<double>-2.5E-3</double>`, -2.5e-3},
		{"double spaces", "<double>\n1.5\n</double>", 1.5},
		{"double long", `<double>0.1000000000000000055511151231257827</double>`, 0.1},
		{"double underflow", `<double>1e-400</double>`, 0.0},
		{"dateTime", `<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>`, utc(1998, 7, 17, 14, 8, 55, 0)},
		{"dateTime spaces", "<dateTime.iso8601> 19980717T14:08:55\n</dateTime.iso8601>", utc(1998, 7, 17, 14, 8, 55, 0)},
		{"base64", `<base64>aGVsbG8=</base64>`, []byte("hello")},
		{"base64 wrapped", "<base64>\naGVs\r\nbG8g d29y\tbGQ=\n</base64>", []byte("hello world")},
		{"base64 unpadded", `<base64>aGVsbG8</base64>`, []byte("hello")},
		{"base64 line breaks only", "<base64>aGVs\nbG8g\r\nd29y\nbGQ=</base64>", []byte("hello world")},
		{"base64 unpadded with line break", "<base64>aGVs\nbG8</base64>", []byte("hello")},
		{"base64 empty", `<base64></base64>`, []byte{}},
		{"base64 self-closing", `<base64/>`, []byte{}},
		{"nil", `<nil/>`, nil},
		{"nil open close", `<nil></nil>`, nil},
		{"nil whitespace", `<nil> </nil>`, nil},
		{"ex:nil", `<ex:nil/>`, nil},
		{"ex:nil open close", `<ex:nil></ex:nil>`, nil},
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
			if g, ok := got.([]byte); ok && g == nil {
				t.Error("base64 is nil") // empty is not nil
			}
		})
	}
}

func TestSelfClosingValue(t *testing.T) {
	req, err := ParseRequest([]byte(`<methodCall><methodName>m</methodName><params><param><value/></param></params></methodCall>`), Limits{})
	if err != nil || len(req.Params) != 1 || req.Params[0] != "" {
		t.Fatalf("got %v, %v", req, err)
	}
}

func TestValueErrors(t *testing.T) {
	v := func(s string) string { return call("<value>" + s + "</value>") }
	runErrCases(t, []errCase{
		{"text beside type", v(`x<int>1</int>`), ErrInvalidRequest, []string{`<value> holds text "x" beside its <int> element`}},
		{"text after type", v(`<int>1</int>x`), ErrInvalidRequest, []string{`unexpected text "x" in <value>`}},
		{"two types", v(`<int>1</int><int>2</int>`), ErrInvalidRequest, []string{"unexpected <int> in <value>; want </value>"}},
		{"unknown type", v(`<float>1</float>`), ErrInvalidRequest, []string{"unknown type <float>"}},
		{"serializable", v(`<ex:serializable>rO0AB</ex:serializable>`), ErrInvalidRequest, []string{"unknown type <ex:serializable>"}},
		{"type case", v(`<Int>1</Int>`), ErrInvalidRequest, []string{"unknown type <Int>"}},
		{"element in int", v(`<int><b/>1</int>`), ErrInvalidRequest, []string{"<int> may hold only text, not <b>"}},
		{"element in string", v(`<string>a<b>c</b></string>`), ErrInvalidRequest, []string{"<string> may hold only text"}},
		{"nil with text", v(`<nil>x</nil>`), ErrInvalidRequest, []string{`<nil> must be empty; it holds "x"`}},
		{"int empty", v(`<int></int>`), ErrInvalidRequest, []string{`<int> value "" is not a 64-bit integer`}},
		{"int self-closing", v(`<int/>`), ErrInvalidRequest, []string{"not a 64-bit integer"}},
		{"int letters", v(`<int>12a</int>`), ErrInvalidRequest, []string{`<int> value "12a" is not a 64-bit integer`}},
		{"int overflow", v(`<int>9223372036854775808</int>`), ErrInvalidRequest, []string{"not a 64-bit integer"}},
		{"int underflow", v(`<i4>-9223372036854775809</i4>`), ErrInvalidRequest, []string{"<i4>", "not a 64-bit integer"}},
		{"int inner space", v(`<int>1 2</int>`), ErrInvalidRequest, []string{"not a 64-bit integer"}},
		{"int hex", v(`<int>0x10</int>`), ErrInvalidRequest, []string{"not a 64-bit integer"}},
		{"int float", v(`<int>1.0</int>`), ErrInvalidRequest, []string{"not a 64-bit integer"}},
		{"int sign only", v(`<int>-</int>`), ErrInvalidRequest, []string{"not a 64-bit integer"}},
		{"int double sign", v(`<int>+-1</int>`), ErrInvalidRequest, []string{"not a 64-bit integer"}},
		{"i8 overflow", v(`<i8>9223372036854775808</i8>`), ErrInvalidRequest, []string{"<i8>", "not a 64-bit integer"}},
		{"i8 huge", v(`<i8>99999999999999999999999999</i8>`), ErrInvalidRequest, []string{"not a 64-bit integer"}},
		{"boolean 2", v(`<boolean>2</boolean>`), ErrInvalidRequest, []string{`<boolean> value "2" is not 0 or 1`}},
		{"boolean true", v(`<boolean>true</boolean>`), ErrInvalidRequest, []string{"not 0 or 1"}},
		{"boolean empty", v(`<boolean/>`), ErrInvalidRequest, []string{"not 0 or 1"}},
		{"double nan", v(`<double>nan</double>`), ErrInvalidRequest, []string{`"nan" is not a decimal number`}},
		{"double inf", v(`<double>-Infinity</double>`), ErrInvalidRequest, []string{"not a decimal number"}},
		{"double hex", v(`<double>0x1p3</double>`), ErrInvalidRequest, []string{"not a decimal number"}},
		{"double empty", v(`<double/>`), ErrInvalidRequest, []string{"not a decimal number"}},
		{"double dot", v(`<double>.</double>`), ErrInvalidRequest, []string{"not a decimal number"}},
		{"double bad exponent", v(`<double>1e</double>`), ErrInvalidRequest, []string{"not a decimal number"}},
		{"double underscore", v(`<double>1_0</double>`), ErrInvalidRequest, []string{"not a decimal number"}},
		{"double overflow", v(`<double>1e400</double>`), ErrInvalidRequest, []string{`"1e400" is out of range`}},
		{"base64 bad", v(`<base64>a$==</base64>`), ErrInvalidRequest, []string{"<base64> is not valid base64", "character 1"}},
		{"base64 bad length", v(`<base64>a</base64>`), ErrInvalidRequest, []string{"not valid base64"}},
		{"dateTime bad", v(`<dateTime.iso8601>yesterday</dateTime.iso8601>`), ErrInvalidRequest, []string{`<dateTime.iso8601> value "yesterday" is not a date like 19980717T14:08:55`, "year must have 4 digits"}},
		{"dateTime bad day", v(`<dateTime.iso8601>19990229T00:00:00</dateTime.iso8601>`), ErrInvalidRequest, []string{"day out of range"}},
		{"mismatched type end", v(`<int>1</i4>`), ErrNotWellFormed, []string{"</i4> does not match start tag <int>"}},
		{"mismatched prefix end", v(`<ex:i8>1</i8>`), ErrNotWellFormed, []string{"</i8> does not match start tag <ex:i8>"}},
		{"mismatched value end", v(`1</valu>`), ErrNotWellFormed, []string{"</valu> does not match"}},
	})
}
