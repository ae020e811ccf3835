package xmlrpc

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/testutil"
)

// checkEncodedAgrees parses body with ParseRequestEncoded and expects what
// ParseRequest gave (want, wantErr): the same error, or the same method and
// params, each abi.Encoded param decoding to the value ParseRequest made,
// and encoding exactly as abi.AppendValue encodes it except for the length
// headers of arrays and maps.
func checkEncodedAgrees(t *testing.T, body []byte, lim Limits, want Request, wantErr error) {
	t.Helper()
	got, err := ParseRequestEncoded(body, lim)
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("ParseRequestEncoded(%q): err = %v, ParseRequest's = %v", body, err, wantErr)
	}
	if err != nil {
		return
	}
	if got.Method != want.Method || got.TimeDigits != want.TimeDigits || len(got.Params) != len(want.Params) {
		t.Fatalf("ParseRequestEncoded(%q) = %q %d %d params, ParseRequest's %q %d %d", body,
			got.Method, got.TimeDigits, len(got.Params), want.Method, want.TimeDigits, len(want.Params))
	}
	for i, p := range got.Params {
		e, ok := p.(abi.Encoded)
		if !ok {
			if !equalValue(p, want.Params[i]) {
				t.Fatalf("param %d of %q: %s, ParseRequest's %s", i, body, show(p), show(want.Params[i]))
			}
			continue
		}
		switch want.Params[i].(type) {
		case []any, abi.Struct:
		default:
			t.Fatalf("param %d of %q is encoded, but is a %T", i, body, want.Params[i])
		}
		// The encoding is never larger than the XML it came from (no
		// element costs fewer bytes of XML than of MessagePack), so a
		// body's cap bounds it too (README, Security model).
		if len(e) > len(body) {
			t.Fatalf("param %d of %q: %d bytes of MessagePack from a body of %d", i, body, len(e), len(body))
		}
		v, err := e.Decode()
		if err != nil {
			t.Fatalf("param %d of %q: its encoding % x does not decode: %v", i, body, []byte(e), err)
		}
		if !equalValue(v, want.Params[i]) {
			t.Fatalf("param %d of %q decodes to %s, ParseRequest's %s", i, body, show(v), show(want.Params[i]))
		}
		// Shortest headers written again, the bytes must be AppendValue's.
		shortest, err := abi.AppendValue(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		if len(e) < len(shortest) {
			t.Fatalf("param %d of %q: encoding % x is shorter than AppendValue's % x", i, body, []byte(e), shortest)
		}
	}
}

func TestParseRequestEncodedAgreesWithParseRequest(t *testing.T) {
	bodies := fuzzSeeds()
	call := func(params string) string {
		return "<methodCall><methodName>m</methodName><params>" + params + "</params></methodCall>"
	}
	param := func(v string) string { return "<param><value>" + v + "</value></param>" }
	bodies = append(bodies,
		call(param("<array><data></data></array>")),
		call(param("<struct></struct>")),
		call(param("<array><data><value>untyped</value><value></value><value><i8>-9000000000</i8></value>"+
			"<value><boolean>1</boolean></value><value><double>-0.5</double></value><value><nil/></value>"+
			"<value><base64>AAEC/w==</base64></value><value><dateTime.iso8601>20240301T10:11:12.345</dateTime.iso8601></value>"+
			"</data></array>")+param("<int>7</int>")),
		// value before name, nested, and a struct in an array in a struct
		call(param("<struct><member><value><array><data><value><struct><member><value>x</value><name>inner</name></member></struct></value></data></array></value><name>outer</name></member>"+
			"<member><name>b</name><value><int>2</int></value></member></struct>")),
		// duplicate member names are refused in both
		call(param("<struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct>")),
		call(param("<array><data><value><array><data><value><bogus/></value></data></array></value></data></array>")),
	)
	// More than 65,535 elements: the 32-bit header.
	var big strings.Builder
	for range 70_000 {
		big.WriteString("<value><int>1</int></value>")
	}
	bodies = append(bodies, call(param("<array><data>"+big.String()+"</data></array>")))
	for i, body := range bodies {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			req, err := ParseRequest([]byte(body), Limits{})
			checkEncodedAgrees(t, []byte(body), Limits{}, req, err)
		})
	}
}

func TestParseRequestEncodedWritesSixteenBitHeaders(t *testing.T) {
	req, err := ParseRequestEncoded([]byte("<methodCall><methodName>m</methodName><params><param><value><struct>"+
		"<member><name>a</name><value><array><data><value><int>1</int></value></data></array></value></member>"+
		"</struct></value></param></params></methodCall>"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xde, 0, 1, 0xa1, 'a', 0xdc, 0, 1, 1}
	if got := req.Params[0].(abi.Encoded); !bytes.Equal(got, want) {
		t.Fatalf("encoded % x, want % x", []byte(got), want)
	}
}

// BenchmarkParseBatch compares the two parses of a 500-reading batch:
// into Go values (what the guest's params were encoded from before) and
// straight into MessagePack.
func BenchmarkParseBatch(b *testing.B) {
	body := testutil.ReadingsCall("types.echo", 500)
	for _, c := range []struct {
		name  string
		parse func([]byte, Limits) (Request, error)
	}{{"values", ParseRequest}, {"encoded", ParseRequestEncoded}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.parse(body, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A member whose <value> comes before its <name> makes the encoding parse
// give way to a parse into Go values (errValueFirst): the whole document
// is read at most twice, however deep such members nest, instead of moving
// bytes once per level.
func TestValueBeforeNameIsParsedIntoValues(t *testing.T) {
	var b strings.Builder
	b.WriteString("<methodCall><methodName>m</methodName><params><param><value>")
	const depth = 60
	for range depth {
		b.WriteString("<struct><member><value>")
	}
	b.WriteString(strings.Repeat("x", 1<<20))
	for range depth {
		b.WriteString("</value><name>n</name></member></struct>")
	}
	b.WriteString("</value></param></params></methodCall>")
	req, err := ParseRequestEncoded([]byte(b.String()), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := req.Params[0].(abi.Struct); !ok {
		t.Fatalf("param is a %T, want the abi.Struct of a parse into values", req.Params[0])
	}
}
