package xmlrpc

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/testutil"
)

// The fast paths for markup (literal, typeTag, member's, plainText) read
// only tags written "<name>" and "</name>". Writing every tag of a
// document as "<name >" instead sends it all through the general reading:
// both must give the same request, in both parses. (commonDateTime,
// shortDecimal and parseInteger's are checked against the general
// readers and strconv in their own tests.)
func TestFastPathsAgreeWithGeneralReading(t *testing.T) {
	spaced := regexp.MustCompile(`<(/?[A-Za-z_][A-Za-z0-9_.:-]*)>`)
	docs := append(fuzzSeeds(),
		string(testutil.ReadingsCall("types.echo", 20)),
		string(pythonInts(50)),
		call(`<value><struct><member><name>n</name><value><i4>-7</i4></value></member><member><name>d</name><value><double>-0.5</double></value></member>`+
			`<member><name>t</name><value><dateTime.iso8601>2024-02-29T23:59:59</dateTime.iso8601></value></member>`+
			`<member><name>b</name><value><boolean>1</boolean></value></member><member><name>x</name><value><base64>aGk=</base64></value></member>`+
			`<member><name>e</name><value><array><data><value><i8>9223372036854775807</i8></value><value>plain</value></data></array></value></member></struct></value>`),
	)
	if b, err := AppendRequest(nil, "validator1.arrayOfStructsTest", structHeavy()[:1]); err == nil {
		docs = append(docs, string(b))
	}
	parsed := 0
	for _, doc := range docs {
		general := spaced.ReplaceAllString(doc, "<$1 >")
		if general == doc {
			continue
		}
		for _, parse := range []func([]byte, Limits) (Request, error){ParseRequest, ParseRequestEncoded} {
			fast, errFast := parse([]byte(doc), Limits{})
			slow, errSlow := parse([]byte(general), Limits{})
			if (errFast == nil) != (errSlow == nil) {
				t.Fatalf("%q: %v\nspaced: %v", doc, errFast, errSlow)
			}
			if errFast != nil {
				continue
			}
			parsed++
			if fast.Method != slow.Method || fast.TimeDigits != slow.TimeDigits || !sameParams(fast.Params, slow.Params) {
				t.Fatalf("%q:\n%s\nspaced:\n%s", doc, show(fast.Params), show(slow.Params))
			}
		}
	}
	if parsed < 10 {
		t.Fatalf("only %d documents parsed", parsed)
	}
}

// sameParams compares params that may be abi.Encoded.
func sameParams(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		ea, okA := a[i].(abi.Encoded)
		eb, okB := b[i].(abi.Encoded)
		if okA != okB || okA && !bytes.Equal(ea, eb) || !okA && !equalValue(a[i], b[i]) {
			return false
		}
	}
	return true
}
