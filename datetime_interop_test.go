package rpchost_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// A dateTime's fraction of a second survives the trip through a guest:
// node's client, sending JavaScript Dates with milliseconds, gets the same
// instants back from types.echo.
func TestDateTimeFractionFromNode(t *testing.T) {
	t.Parallel()
	node := requireTool(t, "node")
	if _, err := os.Stat("testdata/interop/node_modules/xmlrpc/package.json"); err != nil {
		requireSetup(t, "run npm ci --prefix testdata/interop")
	}
	s := startServer(t, "plugins")
	cmd := exec.Command(node, "testdata/interop/datetime.js", s.URL)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("datetime.js: %v\n%s", err, out)
	}
	t.Logf("datetime.js:\n%s", out)
}

// Clients that send no fraction get none back, whatever the guest returns:
// Python's xmlrpc.client with use_builtin_types cannot read one. Here a raw
// request with and without a fraction, and the fraction-free form kolo/xmlrpc
// sends.
func TestDateTimeFractionOnlyWhenSent(t *testing.T) {
	t.Parallel()
	s := startServer(t, "plugins")
	for sent, want := range map[string]string{
		"2026-11-25T01:02:03.456Z":      "20261125T01:02:03.456",
		"20261125T01:02:03":             "20261125T01:02:03",
		"2026-11-25T03:02:03.5+02:00":   "20261125T01:02:03.5",
		"20261125T01:02:03.123456789Z":  "20261125T01:02:03.123456789",
		"2026-11-25T01:02:03.000000000": "20261125T01:02:03.000000000",
	} {
		body := "<methodCall><methodName>types.echo</methodName><params><param><value><dateTime.iso8601>" +
			sent + "</dateTime.iso8601></value></param></params></methodCall>"
		resp := postXML(t, s.URL, body)
		if !strings.Contains(resp, "<dateTime.iso8601>"+want+"</dateTime.iso8601>") {
			t.Errorf("types.echo(%s) answered %s, want %s", sent, resp, want)
		}
	}
	c := dial(t, s.URL)
	in := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	if got := call(t, c, "types.echo", in); got != in {
		t.Errorf("types.echo(%v) from kolo/xmlrpc = %v", in, got)
	}
}

// postXML posts an XML-RPC body and returns the response's body.
func postXML(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
