package xmlrpc

import (
	"errors"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

// fuzzSeeds are the fixtures plus documents that reach the odd corners.
func fuzzSeeds() []string {
	return []string{
		pyAdd, pyNil, pyBytes, pyDateTime, pyNested, pyScalars, pyStruct, pyNoParams, pyLatin1,
		perlRequest, nodeRequest, rubyRequest, xmlrpccRequest, apacheRequest, untypedArray,
		call("<value>a&amp;&#x1F600;<![CDATA[<]]>\r\n<!--c--></value>"),
		call(`<value><dateTime.iso8601>2014-11-10T23:38:51+0000</dateTime.iso8601></value>`),
		call(`<value><struct><member><value/><name>x</name></member></struct></value>`),
		"\xef\xbb\xbf" + pyAdd,
		`<!DOCTYPE x [<!ENTITY a "b">]><methodCall/>`,
		nested(70, false),
	}
}

// FuzzParseRequest checks that no input panics and that whatever parses
// survives AppendRequest and a second parse unchanged.
func FuzzParseRequest(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseRequest(body, Limits{MaxItems: 10_000})
		checkFirstChar(t, body, err)
		checkEncodedAgrees(t, body, Limits{MaxItems: 10_000}, req, err)
		if err != nil {
			checkSentinel(t, err)
			return
		}
		out, err := AppendRequest(nil, req.Method, req.Params)
		if err != nil {
			t.Fatalf("parsed %q but cannot encode it: %v", body, err)
		}
		again, err := ParseRequest(out, Limits{MaxItems: 10_000})
		if err != nil {
			t.Fatalf("cannot parse our own encoding %q: %v", out, err)
		}
		if again.Method != req.Method || !equalValue(again.Params, req.Params) {
			t.Fatalf("round trip changed\n%q %s\nto\n%q %s", req.Method, show(req.Params), again.Method, show(again.Params))
		}
	})
}

// FuzzParseResponse does the same for responses, faults included.
func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{pyFault, pyResponse, string(AppendFault(nil, &abi.Fault{Code: 1, Message: "m"}))} {
		f.Add([]byte(s))
	}
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := ParseResponse(body, Limits{MaxItems: 10_000})
		checkFirstChar(t, body, err)
		var fault *abi.Fault
		if errors.As(err, &fault) {
			_, err := ParseResponse(AppendFault(nil, fault), Limits{})
			var again *abi.Fault
			if !errors.As(err, &again) || *again != *fault {
				t.Fatalf("fault %v came back as %v", fault, err)
			}
			return
		}
		if err != nil {
			checkSentinel(t, err)
			return
		}
		out, err := AppendResponse(nil, v)
		if err != nil {
			t.Fatalf("parsed %q but cannot encode it: %v", body, err)
		}
		again, err := ParseResponse(out, Limits{MaxItems: 10_000})
		if err != nil || !equalValue(again, v) {
			t.Fatalf("round trip changed %s to %s (%v)", show(v), show(again), err)
		}
	})
}

// checkFirstChar checks that a UTF-8 document with a character XML does
// not allow failed for the first one, and so that the scanner, which open
// leaves checking characters to, missed none of those it passed.
func checkFirstChar(t *testing.T, body []byte, err error) {
	t.Helper()
	s := scanner{}
	if s.open(body) != nil || !s.lazyChars {
		return
	}
	i := checkChars(s.buf, s.bodyStart, false)
	if i < 0 {
		if errors.Is(err, ErrInvalidCharacter) && !strings.Contains(err.Error(), "character reference") {
			t.Fatalf("%q has no bad character but failed with %v", body, err)
		}
		return
	}
	if want := s.charError(i); err == nil || err.Error() != want.Error() {
		t.Fatalf("%q: got %v, want %v", body, err, want)
	}
}

func checkSentinel(t *testing.T, err error) {
	t.Helper()
	n := 0
	for _, s := range []error{ErrNotWellFormed, ErrUnsupportedEncoding, ErrInvalidCharacter, ErrInvalidRequest, ErrLimit} {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("error %q wraps %d sentinels", err, n)
	}
}
