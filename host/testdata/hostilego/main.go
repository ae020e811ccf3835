// Command hostilego is a Go guest that misbehaves the ways Go programs do;
// host/sandbox_test.go builds it (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared)
// and expects a specific fault from each method.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/rpchost/rpchost/abi/guest"
)

var hoard [][]byte // keeps allocations alive so the GC cannot free them

func init() {
	guest.Register("panic", func(guest.Params) (any, error) { panic("boom") })
	guest.Register("oom", func(guest.Params) (any, error) {
		for {
			hoard = append(hoard, make([]byte, 1<<20))
		}
	})
	guest.Register("spew", func(guest.Params) (any, error) {
		line := strings.Repeat("x", 1023) + "\n"
		for i := 0; i < 4096; i++ { // 4 MiB
			fmt.Fprint(os.Stdout, line)
		}
		return true, nil
	})
	guest.Register("big", func(p guest.Params) (any, error) {
		n, err := p.Int(0)
		if err != nil {
			return nil, err
		}
		return strings.Repeat("y", int(n)), nil
	})
	// many returns n empty arrays: n+3 bytes of MessagePack, 43 n bytes of
	// XML and 40 n bytes of Go values in the host, unless a bound on the
	// result's values stops it.
	guest.Register("many", func(p guest.Params) (any, error) {
		n, err := p.Int(0)
		if err != nil {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			out[i] = []any{}
		}
		return out, nil
	})
	guest.Register("ok", func(guest.Params) (any, error) { return "fine", nil })
}

func main() {}
