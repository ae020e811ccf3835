package xmlrpc

import (
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

// Requests exactly as real clients write them. The Python ones were
// generated with Python 3.11's xmlrpc.client.dumps; the others follow the
// serializers of Perl RPC::XML 1.x, node xmlrpc, Ruby xmlrpc, xmlrpc-c and
// Apache ws-xmlrpc.
var (
	// x.dumps((3, 4), 'add')
	pyAdd = `<?xml version='1.0'?>
<methodCall>
<methodName>add</methodName>
<params>
<param>
<value><int>3</int></value>
</param>
<param>
<value><int>4</int></value>
</param>
</params>
</methodCall>
`
	// x.dumps((None,), 'echo', allow_none=True)
	pyNil = `<?xml version='1.0'?>
<methodCall>
<methodName>echo</methodName>
<params>
<param>
<value><nil/></value></param>
</params>
</methodCall>
`
	// x.dumps((b'hello world'*10, b''), 'echo')
	pyBytes = `<?xml version='1.0'?>
<methodCall>
<methodName>echo</methodName>
<params>
<param>
<value><base64>
aGVsbG8gd29ybGRoZWxsbyB3b3JsZGhlbGxvIHdvcmxkaGVsbG8gd29ybGRoZWxsbyB3b3JsZGhl
bGxvIHdvcmxkaGVsbG8gd29ybGRoZWxsbyB3b3JsZGhlbGxvIHdvcmxkaGVsbG8gd29ybGQ=
</base64></value>
</param>
<param>
<value><base64>
</base64></value>
</param>
</params>
</methodCall>
`
	// x.dumps((datetime.datetime(2024, 1, 2, 3, 4, 5),), 'echo')
	pyDateTime = `<?xml version='1.0'?>
<methodCall>
<methodName>echo</methodName>
<params>
<param>
<value><dateTime.iso8601>20240102T03:04:05</dateTime.iso8601></value>
</param>
</params>
</methodCall>
`
	// x.dumps(({'a': [1, 2.5, 'x<&>', True], 'b': {'c': None, 'd': []}, 'e': {}},), 'echo', allow_none=True)
	pyNested = `<?xml version='1.0'?>
<methodCall>
<methodName>echo</methodName>
<params>
<param>
<value><struct>
<member>
<name>a</name>
<value><array><data>
<value><int>1</int></value>
<value><double>2.5</double></value>
<value><string>x&lt;&amp;&gt;</string></value>
<value><boolean>1</boolean></value>
</data></array></value>
</member>
<member>
<name>b</name>
<value><struct>
<member>
<name>c</name>
<value><nil/></value></member>
<member>
<name>d</name>
<value><array><data>
</data></array></value>
</member>
</struct></value>
</member>
<member>
<name>e</name>
<value><struct>
</struct></value>
</member>
</struct></value>
</param>
</params>
</methodCall>
`
	// x.dumps((2**31-1, -2**31, 1e300, 0.1, -0.0, 5e-324, 'café ☃', '  spaced\n', '', False), 'echo')
	pyScalars = `<?xml version='1.0'?>
<methodCall>
<methodName>echo</methodName>
<params>
<param>
<value><int>2147483647</int></value>
</param>
<param>
<value><int>-2147483648</int></value>
</param>
<param>
<value><double>1e+300</double></value>
</param>
<param>
<value><double>0.1</double></value>
</param>
<param>
<value><double>-0.0</double></value>
</param>
<param>
<value><double>5e-324</double></value>
</param>
<param>
<value><string>café ☃</string></value>
</param>
<param>
<value><string>  spaced
</string></value>
</param>
<param>
<value><string></string></value>
</param>
<param>
<value><boolean>0</boolean></value>
</param>
</params>
</methodCall>
`
	// x.dumps(({'moe': 1, 'larry': 2, 'curly': 3},), 'validator1.easyStructTest')
	pyStruct = `<?xml version='1.0'?>
<methodCall>
<methodName>validator1.easyStructTest</methodName>
<params>
<param>
<value><struct>
<member>
<name>moe</name>
<value><int>1</int></value>
</member>
<member>
<name>larry</name>
<value><int>2</int></value>
</member>
<member>
<name>curly</name>
<value><int>3</int></value>
</member>
</struct></value>
</param>
</params>
</methodCall>
`
	// x.dumps((), 'system.listMethods')
	pyNoParams = `<?xml version='1.0'?>
<methodCall>
<methodName>system.listMethods</methodName>
<params>
</params>
</methodCall>
`
	// x.dumps(('café',), 'echo', encoding='iso-8859-1'), encoded as ServerProxy sends it
	pyLatin1 = "<?xml version='1.0' encoding='iso-8859-1'?>\n<methodCall>\n<methodName>echo</methodName>\n<params>\n<param>\n<value><string>caf\xe9</string></value>\n</param>\n</params>\n</methodCall>\n"
	// x.dumps(x.Fault(4, 'Too many <params>'), methodresponse=True)
	pyFault = `<?xml version='1.0'?>
<methodResponse>
<fault>
<value><struct>
<member>
<name>faultCode</name>
<value><int>4</int></value>
</member>
<member>
<name>faultString</name>
<value><string>Too many &lt;params&gt;</string></value>
</member>
</struct></value>
</fault>
</methodResponse>
`
	// x.dumps(([1, 'two'],), methodresponse=True)
	pyResponse = `<?xml version='1.0'?>
<methodResponse>
<params>
<param>
<value><array><data>
<value><int>1</int></value>
<value><string>two</string></value>
</data></array></value>
</param>
</params>
</methodResponse>
`

	// Perl RPC::XML: declares us-ascii, writes <i8> above 32 bits, doubles
	// as sprintf('%.20f') with trailing zeros cut, dates with Z, and
	// escapes quotes too.
	perlRequest = `<?xml version="1.0" encoding="us-ascii"?><methodCall><methodName>add</methodName><params><param><value><i8>4294967296</i8></value></param><param><value><int>-7</int></value></param><param><value><double>0.10000000000000000555</double></value></param><param><value><string>&quot;it&apos;s&quot; &lt;ok&gt;</string></value></param><param><value><dateTime.iso8601>20240102T03:04:05Z</dateTime.iso8601></value></param><param><value><nil/></value></param></params></methodCall>`

	// node xmlrpc: no line breaks, CDATA for strings holding < or &, <string/>
	// for an empty one, <int> for every whole number.
	nodeRequest = `<?xml version="1.0"?><methodCall><methodName>echo</methodName><params><param><value><string><![CDATA[a < b && "c"]]></string></value></param><param><value><string/></value></param><param><value><string>plain</string></value></param><param><value><double>2.5</double></value></param><param><value><double>1e-7</double></value></param><param><value><struct><member><name>k</name><value><boolean>1</boolean></value></member></struct></value></param><param><value><dateTime.iso8601>2024-01-02T03:04:05.678Z</dateTime.iso8601></value></param></params></methodCall>`

	// Ruby xmlrpc: a space before "?>" and <i4>.
	rubyRequest = `<?xml version="1.0" ?><methodCall><methodName>add</methodName><params><param><value><i4>3</i4></value></param><param><value><i4>4</i4></value></param></params></methodCall>` + "\n"

	// xmlrpc-c: CRLF line ends, <i8>, <nil/>, dateTime with a fraction.
	xmlrpccRequest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodCall>\r\n<methodName>sample.add</methodName>\r\n<params>\r\n<param><value><i8>-5000000000</i8></value></param>\r\n<param><value><nil/></value></param>\r\n<param><value><dateTime.iso8601>20240102T03:04:05.250000</dateTime.iso8601></value></param>\r\n<param><value><string>line1\r\nline2</string></value></param>\r\n</params>\r\n</methodCall>\r\n"

	// Apache ws-xmlrpc with extensions: the ex: prefix on i8 and nil.
	apacheRequest = `<?xml version="1.0" encoding="UTF-8"?><methodCall xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"><methodName>echo</methodName><params><param><value><ex:i8>5</ex:i8></value></param><param><value><ex:nil/></value></param></params></methodCall>`

	// validator1.moderateSizeArrayCheck as some clients send it: untyped.
	untypedArray = `<?xml version="1.0"?><methodCall><methodName>validator1.moderateSizeArrayCheck</methodName><params><param><value><array><data><value>Maine</value><value> New York </value><value></value></data></array></value></param></params></methodCall>`
)

func TestClientRequests(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		method string
		params []any
	}{
		{"python add", pyAdd, "add", []any{int64(3), int64(4)}},
		{"python nil", pyNil, "echo", []any{nil}},
		{"python bytes", pyBytes, "echo", []any{[]byte(strings.Repeat("hello world", 10)), []byte{}}},
		{"python datetime", pyDateTime, "echo", []any{utc(2024, 1, 2, 3, 4, 5, 0)}},
		{"python nested", pyNested, "echo", []any{abi.Struct{
			{Name: "a", Value: []any{int64(1), 2.5, "x<&>", true}},
			{Name: "b", Value: abi.Struct{{Name: "c", Value: nil}, {Name: "d", Value: []any{}}}},
			{Name: "e", Value: abi.Struct{}},
		}}},
		{"python scalars", pyScalars, "echo", []any{int64(2147483647), int64(-2147483648), 1e300, 0.1, negZero(), 5e-324, "café ☃", "  spaced\n", "", false}},
		{"python struct", pyStruct, "validator1.easyStructTest", []any{abi.Struct{{Name: "moe", Value: int64(1)}, {Name: "larry", Value: int64(2)}, {Name: "curly", Value: int64(3)}}}},
		{"python no params", pyNoParams, "system.listMethods", []any{}},
		{"python latin-1", pyLatin1, "echo", []any{"café"}},
		{"perl", perlRequest, "add", []any{int64(4294967296), int64(-7), 0.1, `"it's" <ok>`, utc(2024, 1, 2, 3, 4, 5, 0), nil}},
		{"node", nodeRequest, "echo", []any{`a < b && "c"`, "", "plain", 2.5, 1e-7, abi.Struct{{Name: "k", Value: true}}, utc(2024, 1, 2, 3, 4, 5, 678_000_000)}},
		{"ruby", rubyRequest, "add", []any{int64(3), int64(4)}},
		{"xmlrpc-c", xmlrpccRequest, "sample.add", []any{int64(-5000000000), nil, utc(2024, 1, 2, 3, 4, 5, 250_000_000), "line1\nline2"}},
		{"apache", apacheRequest, "echo", []any{int64(5), nil}},
		{"untyped array", untypedArray, "validator1.moderateSizeArrayCheck", []any{[]any{"Maine", " New York ", ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := ParseRequest([]byte(c.body), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != c.method || !equalValue(req.Params, c.params) {
				t.Fatalf("got %q %s\nwant %q %s", req.Method, show(req.Params), c.method, show(c.params))
			}
			// Exact instants, fractions included.
			for i, p := range req.Params {
				if tm, ok := p.(interface{ UnixNano() int64 }); ok && tm.UnixNano() != c.params[i].(interface{ UnixNano() int64 }).UnixNano() {
					t.Errorf("param %d: %v", i, p)
				}
			}
		})
	}
}

func TestClientResponses(t *testing.T) {
	v, err := ParseResponse([]byte(pyResponse), Limits{})
	if err != nil || !equalValue(v, []any{int64(1), "two"}) {
		t.Errorf("got %s, %v", show(v), err)
	}
	_, err = ParseResponse([]byte(pyFault), Limits{})
	if f, ok := err.(*abi.Fault); !ok || f.Code != 4 || f.Message != "Too many <params>" {
		t.Errorf("got %v", err)
	}
}

func negZero() float64 {
	z := 0.0
	return -z
}
