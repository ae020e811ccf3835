package rpchost_test

import (
	"fmt"
	"testing"
)

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

// TestPythonReceivesTheAnswerToAnOversizedBody: Python's clients send the
// whole body before reading the answer, so a server that refuses a body
// and closes at once leaves them with ConnectionResetError. rpchost reads
// and discards the rest (bounded), so they receive the -32600 fault:
// urllib with a 200 MB body, xmlrpc.client with 32 MiB of params.
func TestPythonReceivesTheAnswerToAnOversizedBody(t *testing.T) {
	python := requireTool(t, "python3")
	const limit = 1 << 20
	s := startServer(t, "plugins", fmt.Sprintf("RPCHOST_LIMITS_MAX_BODY_BYTES=%d", limit))
	t.Logf("oversized.py:\n%s", runScript(t, python, "testdata/clients/oversized.py", s.URL, fmt.Sprint(limit)))
}
