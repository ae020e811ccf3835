package host_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/rpchost/rpchost/host"
)

// A Host serves the modules of a directory; calc.wasm is a WAT module
// without an SDK, so its exports are its methods. A Go program embedding
// the host calls procedures, classifies their errors and deploys modules
// with the public API alone.
func Example() {
	dir, _ := os.MkdirTemp("", "rpchost-example")
	defer os.RemoveAll(dir)
	wasm, _ := os.ReadFile("testdata/calc.wasm")
	_ = os.WriteFile(filepath.Join(dir, "calc.wasm"), wasm, 0o644)

	ctx := context.Background()
	h, err := host.New(ctx, host.NewConfig().WithPluginDir(dir).WithWatch(false, 0, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close(ctx)

	sum, _ := h.Call(ctx, "calc.add", []any{int64(40), int64(2)})
	fmt.Println("calc.add(40, 2) =", sum)
	_, err = h.Call(ctx, "calc.add", []any{"forty", int64(2)})
	fmt.Println(host.FaultOf(err).Code, host.FaultOf(err).Message)
	_, err = h.Call(ctx, "calc.crash", nil)
	fmt.Println("calc.crash trapped:", errors.Is(err, host.ErrTrap), host.FaultOf(err).Code == host.CodeTrap)

	// In-process deployment needs no admin token: the token guards the
	// network routes only.
	info, err := h.Upload(ctx, "calc2", wasm)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("uploaded", info.Name, "version", info.Version, "bare names kept by calc:", len(info.Conflicts))

	// The same over HTTP, as any XML-RPC client would call it.
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	req := `<?xml version="1.0"?><methodCall><methodName>add</methodName><params>` +
		`<param><value><int>1</int></value></param><param><value><int>2</int></value></param></params></methodCall>`
	resp, err := srv.Client().Post(srv.URL+"/RPC2", "text/xml", strings.NewReader(req))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	fmt.Println("POST /RPC2 add(1, 2):", resp.StatusCode, strings.Contains(string(reply), "<int>3</int>"))
	// Output:
	// calc.add(40, 2) = 42
	// -32602 calc.add param 1: want int (i64), got string
	// calc.crash trapped: true true
	// uploaded calc2 version 1 bare names kept by calc: 8
	// POST /RPC2 add(1, 2): 200 true
}
