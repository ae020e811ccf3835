package rpchost_test

import "testing"

// TestClassicPythonClient calls the server with Python's xmlrpc.client the
// way a user of Python's SimpleXMLRPCServer always has: ServerProxy(url).add,
// MultiCall, introspection, allow_none, use_builtin_types, gzip both ways and
// faults. testdata/clients/classic.py checks every answer itself.
func TestClassicPythonClient(t *testing.T) {
	t.Parallel()
	python := requireTool(t, "python3")
	s := startServer(t, "plugins")
	t.Logf("classic.py:\n%s", runScript(t, python, "testdata/clients/classic.py", s.URL))
}
