package load

import (
	"os/exec"
	"strings"
	"testing"
)

// The bodies must be byte for byte what Python's client sends; python3
// says so when it is installed (in one run: it takes a second to start).
func TestPythonCallMatchesXMLRPCClient(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	cases := []struct {
		method string
		params []any
		args   string // the same call in Python
	}{
		{"add", []any{int64(3), int64(4)}, "(3, 4), 'add'"},
		{"numeric.add", []any{int64(3), int64(4)}, "(3, 4), 'numeric.add'"},
		{"sum", []any{[]int64{1, 2, 3}}, "([1, 2, 3],), 'sum'"},
		{"sum", []any{[]int64{}}, "([],), 'sum'"},
	}
	const sep = "\x00"
	var script strings.Builder
	script.WriteString("import sys, xmlrpc.client\n")
	for _, c := range cases {
		script.WriteString("sys.stdout.write(xmlrpc.client.dumps(" + c.args + ") + '\\x00')\n")
	}
	out, err := exec.Command(python, "-c", script.String()).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	bodies := strings.Split(strings.TrimSuffix(string(out), sep), sep)
	if len(bodies) != len(cases) {
		t.Fatalf("python3 wrote %d bodies, want %d", len(bodies), len(cases))
	}
	for i, c := range cases {
		if got := PythonCall(c.method, c.params...); string(got) != bodies[i] {
			t.Errorf("PythonCall(%s, %v) =\n%q\npython3 says\n%q", c.method, c.params, got, bodies[i])
		}
	}
}

// The add(3, 4) body the issue quotes, verbatim.
func TestPythonCallAdd(t *testing.T) {
	want := "<?xml version='1.0'?>\n<methodCall>\n<methodName>add</methodName>\n<params>\n<param>\n<value><int>3</int></value>\n</param>\n<param>\n<value><int>4</int></value>\n</param>\n</params>\n</methodCall>\n"
	if got := string(PythonCall("add", int64(3), int64(4))); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
