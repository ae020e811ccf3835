package host

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// A Host serves the modules of a directory; calc.wasm is a WAT module
// without an SDK, so its exports are its methods.
func Example() {
	dir, _ := os.MkdirTemp("", "rpchost-example")
	defer os.RemoveAll(dir)
	wasm, _ := fixtures.ReadFile("testdata/calc.wasm")
	_ = os.WriteFile(filepath.Join(dir, "calc.wasm"), wasm, 0o644)

	ctx := context.Background()
	h, err := New(ctx, NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close(ctx)

	sum, _ := h.Call(ctx, "calc.add", []any{int64(40), int64(2)})
	fmt.Println("calc.add(40, 2) =", sum)
	_, err = h.Call(ctx, "calc.add", []any{"forty", int64(2)})
	fmt.Println(toFault(err).Code, toFault(err).Message)

	// The same over HTTP, as any XML-RPC client would call it.
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	body, _ := xmlrpc.AppendRequest(nil, "add", []any{int64(1), int64(2)})
	resp, err := srv.Client().Post(srv.URL+"/RPC2", "text/xml", bytes.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	v, _ := xmlrpc.ParseResponse(reply, xmlrpc.DefaultLimits())
	fmt.Println("POST /RPC2 add(1, 2) =", v)
	// Output:
	// calc.add(40, 2) = 42
	// -32602 calc.add param 1: want int (i64), got string
	// POST /RPC2 add(1, 2) = 3
}
