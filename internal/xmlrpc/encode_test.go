package xmlrpc

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

const (
	respHead = `<?xml version="1.0"?><methodResponse><params><param><value>`
	respTail = `</value></param></params></methodResponse>`
)

func TestAppendResponse(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, "<nil/>"},
		{true, "<boolean>1</boolean>"},
		{false, "<boolean>0</boolean>"},
		{int64(0), "<int>0</int>"},
		{int64(math.MaxInt32), "<int>2147483647</int>"},
		{int64(math.MinInt32), "<int>-2147483648</int>"},
		{int64(math.MaxInt32 + 1), "<i8>2147483648</i8>"},
		{int64(math.MinInt32 - 1), "<i8>-2147483649</i8>"},
		{int64(math.MinInt64), "<i8>-9223372036854775808</i8>"},
		{0.1, "<double>0.1</double>"},
		{-0.0 * 1, "<double>0</double>"},
		{math.Copysign(0, -1), "<double>-0</double>"},
		{1e21, "<double>1000000000000000000000</double>"},
		{2.5e-7, "<double>0.00000025</double>"},
		{"", "<string></string>"},
		{"a<&>\r\n\t'\"", "<string>a&lt;&amp;&gt;&#13;\n\t'\"</string>"},
		{"café", "<string>café</string>"},
		{[]byte{}, "<base64></base64>"},
		{[]byte(nil), "<base64></base64>"},
		{[]byte("hello world, this is long enough to wrap in Python at seventy-six characters"), "<base64>aGVsbG8gd29ybGQsIHRoaXMgaXMgbG9uZyBlbm91Z2ggdG8gd3JhcCBpbiBQeXRob24gYXQgc2V2ZW50eS1zaXggY2hhcmFjdGVycw==</base64>"},
		{utc(1998, 7, 17, 14, 8, 55, 500), "<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>"},
		{time.Date(1998, 7, 17, 14, 8, 55, 0, time.FixedZone("", -3600)), "<dateTime.iso8601>19980717T15:08:55</dateTime.iso8601>"},
		{[]any{}, "<array><data></data></array>"},
		{[]any(nil), "<array><data></data></array>"},
		{[]any{int64(1), "a", nil}, "<array><data><value><int>1</int></value><value><string>a</string></value><value><nil/></value></data></array>"},
		{abi.Struct{}, "<struct></struct>"},
		{abi.Struct{{Name: "b&", Value: int64(1)}, {Name: "a", Value: []any{true}}},
			"<struct><member><name>b&amp;</name><value><int>1</int></value></member><member><name>a</name><value><array><data><value><boolean>1</boolean></value></data></array></value></member></struct>"},
	}
	for _, c := range cases {
		got, err := AppendResponse([]byte("prefix"), c.v)
		if err != nil {
			t.Errorf("%s: %v", show(c.v), err)
			continue
		}
		if want := "prefix" + respHead + c.want + respTail; string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", show(c.v), got, want)
		}
	}
}

func TestAppendResponseErrors(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	cases := []struct {
		v    any
		want string
	}{
		{math.NaN(), "cannot encode result: NaN has no XML-RPC form"},
		{math.Inf(-1), "-Inf has no XML-RPC form"},
		{"a\x00", `cannot encode result: byte 1 of the string: control character "\x00"`},
		{"a\xff", "0xFF is not valid UTF-8"},
		{int(1), "type int is outside the abi value set"},
		{int32(1), "type int32"},
		{uint64(1), "type uint64"},
		{float32(1), "type float32"},
		{map[string]any{}, "type map[string]interface {}"},
		{&abi.Fault{}, "type *abi.Fault"},
		{abi.Member{}, "type abi.Member"},
		{[]string{}, "type []string"},
		{utc(10000, 1, 1, 0, 0, 0, 0), "year outside 0-9999"},
		{[]any{int64(1), []any{"ok", math.Inf(1)}}, "cannot encode result[1][1]: +Inf"},
		{abi.Struct{{Name: "a", Value: abi.Struct{{Name: "b", Value: int(3)}}}}, "cannot encode result.a.b: type int"},
		{abi.Struct{{Name: "a\x01", Value: nil}}, "member name"},
		{abi.Struct{{Name: "a", Value: nil}, {Name: "a", Value: nil}}, "cannot encode result.a: struct has two members of this name"},
		{cyclic, "nested more than 10000 deep"},
	}
	for _, c := range cases {
		got, err := AppendResponse([]byte("keep"), c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T: error %v, want %q", c.v, err, c.want)
		}
		if string(got) != "keep" {
			t.Errorf("%T: dst changed to %q", c.v, got)
		}
	}
	big := make(abi.Struct, 40)
	for i := range big {
		big[i].Name = strings.Repeat("x", i%30+1)
	}
	if _, err := AppendResponse(nil, big); err == nil || !strings.Contains(err.Error(), "two members") {
		t.Errorf("duplicate in a large struct: %v", err)
	}
}

func TestAppendFault(t *testing.T) {
	got := string(AppendFault([]byte("p"), &abi.Fault{Code: -32601, Message: "no <such> method"}))
	want := `p<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>-32601</int></value></member><member><name>faultString</name><value><string>no &lt;such&gt; method</string></value></member></struct></value></fault></methodResponse>`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	for _, f := range []*abi.Fault{
		{Code: 1, Message: "bad \x00 \xff \uFFFE\r\n"},
		{Code: math.MaxInt64, Message: ""},
		nil,
	} {
		b := AppendFault(nil, f)
		_, err := ParseResponse(b, Limits{})
		var pf *abi.Fault
		if !errors.As(err, &pf) {
			t.Fatalf("%s: %v", b, err)
		}
		if f == nil {
			if pf.Code != abi.CodeInternalError {
				t.Errorf("nil fault became %v", pf)
			}
			continue
		}
		if pf.Code != f.Code || pf.Message != strings.ToValidUTF8(strings.Map(func(r rune) rune {
			if r == 0 || r == 0xFFFE {
				return 0xFFFD
			}
			return r
		}, f.Message), "\uFFFD") {
			t.Errorf("%q became %q", f.Message, pf.Message)
		}
	}
}

func TestAppendRequest(t *testing.T) {
	got, err := AppendRequest(nil, "a.b", []any{int64(3), "x"})
	want := `<?xml version="1.0"?><methodCall><methodName>a.b</methodName><params><param><value><int>3</int></value></param><param><value><string>x</string></value></param></params></methodCall>`
	if err != nil || string(got) != want {
		t.Errorf("got %s, %v", got, err)
	}
	got, err = AppendRequest(nil, "m", nil)
	if err != nil || string(got) != `<?xml version="1.0"?><methodCall><methodName>m</methodName><params></params></methodCall>` {
		t.Errorf("got %s, %v", got, err)
	}
	for _, c := range []struct {
		method string
		params []any
		want   string
	}{
		{"", nil, "empty method name"},
		{"a\x00", nil, "cannot encode method name"},
		{"m", []any{"ok", 1}, "cannot encode params[1]: type int"},
	} {
		got, err := AppendRequest([]byte("keep"), c.method, c.params)
		if err == nil || !strings.Contains(err.Error(), c.want) || string(got) != "keep" {
			t.Errorf("%q: %q, %v; want %q", c.method, got, err, c.want)
		}
	}
}

// TestAppendRequestKeepsFractions checks that a request carries a time's
// fraction of a second with as many digits as it needs and no more, so a
// tool's 05.123Z reaches the server as 05.123 (and comes back as such),
// while a time without one is written as before, which keeps the server's
// answer fraction-free for it.
func TestAppendRequestKeepsFractions(t *testing.T) {
	for _, c := range []struct {
		ns   int
		want string
	}{
		{0, "20260102T03:04:05"},
		{123_000_000, "20260102T03:04:05.123"},
		{100_000_000, "20260102T03:04:05.1"},
		{1, "20260102T03:04:05.000000001"},
		{999_999_999, "20260102T03:04:05.999999999"},
		{120_450_000, "20260102T03:04:05.12045"},
	} {
		in := utc(2026, 1, 2, 3, 4, 5, c.ns)
		body, err := AppendRequest(nil, "m", []any{in, []any{in}})
		if err != nil {
			t.Fatal(err)
		}
		tag := "<dateTime.iso8601>" + c.want + "</dateTime.iso8601>"
		if strings.Count(string(body), tag) != 2 {
			t.Errorf("%d ns: %s, want %s twice", c.ns, body, tag)
		}
		req, err := ParseRequest(body, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if got := req.Params[0].(time.Time); !got.Equal(in) {
			t.Errorf("%d ns: read back %v, want %v", c.ns, got, in)
		}
		if want := len(c.want) - len("20260102T03:04:05."); req.TimeDigits != max(want, 0) {
			t.Errorf("%d ns: TimeDigits %d, want %d", c.ns, req.TimeDigits, max(want, 0))
		}
		// The answer to it keeps those digits; the answer to a request
		// without a fraction has none, whatever the result holds.
		out, _ := AppendResponseTo(nil, &req, in)
		if !strings.Contains(string(out), tag) {
			t.Errorf("%d ns: response %s, want %s", c.ns, out, tag)
		}
	}
	plain, _ := ParseRequest([]byte(`<methodCall><methodName>m</methodName><params><param><value><dateTime.iso8601>20260102T03:04:05</dateTime.iso8601></value></param></params></methodCall>`), Limits{})
	out, _ := AppendResponseTo(nil, &plain, utc(2026, 1, 2, 3, 4, 5, 123_000_000))
	if !strings.Contains(string(out), "<dateTime.iso8601>20260102T03:04:05</dateTime.iso8601>") {
		t.Errorf("a client that sent no fraction got %s", out)
	}
}

// roundTripValues are values that must survive Append then Parse.
var roundTripValues = []any{
	nil, true, false,
	int64(0), int64(1), int64(-1), int64(255), int64(256),
	int64(math.MaxInt32), int64(math.MinInt32), int64(math.MaxInt32 + 1), int64(math.MinInt32 - 1),
	int64(math.MaxInt64), int64(math.MinInt64),
	0.0, math.Copysign(0, -1), 0.1, -0.1, 1.0 / 3, 1e300, -1e300, 5e-324, -5e-324,
	math.MaxFloat64, math.SmallestNonzeroFloat64, 2.2250738585072014e-308, 1e21, 123456789.125,
	"", " ", "  lead and trail  ", "a\r\nb\rc\n", "\t", "<>&'\"", "]]>", "<![CDATA[x]]>",
	"café ☃ 😀 \u0085 \U0010FFFF \uFFFD", "&amp;", strings.Repeat("long ", 1000),
	[]byte{}, []byte{0}, []byte{0xff, 0xfe, 0}, []byte("any binary \x00\x01\x02"),
	utc(1998, 7, 17, 14, 8, 55, 0), utc(0, 1, 1, 0, 0, 0, 0), utc(9999, 12, 31, 23, 59, 59, 0),
	utc(2024, 2, 29, 12, 0, 0, 999_999_999),
	[]any{}, []any{[]any{}}, []any{int64(1), "two", 3.0, nil, []any{true, abi.Struct{}}},
	abi.Struct{}, abi.Struct{{Name: "", Value: ""}},
	abi.Struct{{Name: "z", Value: int64(1)}, {Name: "a", Value: abi.Struct{{Name: "<&>\r", Value: []any{[]byte("x")}}}}},
}

func TestRoundTrip(t *testing.T) {
	for _, v := range roundTripValues {
		b, err := AppendResponse(nil, v)
		if err != nil {
			t.Errorf("%s: %v", show(v), err)
			continue
		}
		got, err := ParseResponse(b, Limits{})
		if err != nil || !equalValue(v, got) {
			t.Errorf("%s: got %s, %v\n%s", show(v), show(got), err, b)
		}
	}
	b, err := AppendRequest(nil, "name with <&> and \r", roundTripValues)
	if err != nil {
		t.Fatal(err)
	}
	req, err := ParseRequest(b, Limits{})
	if err != nil || req.Method != "name with <&> and \r" || !equalValue(req.Params, roundTripValues) {
		t.Errorf("request round trip: %v %q %s", err, req.Method, show(req.Params))
	}
}

func TestRoundTripTimeIsUTC(t *testing.T) {
	loc := time.FixedZone("x", 5*3600+1800)
	in := time.Date(2020, 1, 1, 2, 0, 0, 0, loc)
	b, _ := AppendResponse(nil, in)
	got, err := ParseResponse(b, Limits{})
	if err != nil || got.(time.Time).Location() != time.UTC || !got.(time.Time).Equal(in) {
		t.Errorf("got %v, %v", got, err)
	}
}
