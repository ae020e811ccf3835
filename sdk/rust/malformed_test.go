package rust_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// rawInstance runs an example module in wazero without the host, so that
// a test can hand rpchost_call bytes the host would never send.
type rawInstance struct {
	t   *testing.T
	mod api.Module
}

func instantiate(t *testing.T, name string) *rawInstance {
	t.Helper()
	ctx := context.Background()
	wasm, err := os.ReadFile(filepath.Join("examples", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithMemoryLimitPages(512))
	t.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	mod, err := rt.InstantiateWithConfig(ctx, wasm, wazero.NewModuleConfig().WithStartFunctions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mod.ExportedFunction(abi.ExportInitialize).Call(ctx); err != nil {
		t.Fatal(err)
	}
	return &rawInstance{t: t, mod: mod}
}

// call writes in where rpchost_alloc says and returns the Result's bytes.
func (in *rawInstance) call(msg []byte) []byte {
	in.t.Helper()
	ctx := context.Background()
	res, err := in.mod.ExportedFunction(abi.ExportAlloc).Call(ctx, uint64(len(msg)))
	if err != nil {
		in.t.Fatal(err)
	}
	ptr := uint32(res[0])
	if !in.mod.Memory().Write(ptr, msg) {
		in.t.Fatalf("rpchost_alloc(%d) = %#x, outside memory", len(msg), ptr)
	}
	res, err = in.mod.ExportedFunction(abi.ExportCall).Call(ctx, uint64(ptr), uint64(len(msg)))
	if err != nil {
		in.t.Fatalf("rpchost_call trapped on % x: %v", msg[:min(len(msg), 32)], err)
	}
	out, ok := in.mod.Memory().Read(uint32(res[0]>>32), uint32(res[0]))
	if !ok {
		in.t.Fatalf("result region %#x is outside memory", res[0])
	}
	return bytes.Clone(out)
}

func callOf(method string, params ...[]byte) []byte {
	b := []byte{0x92, 0xa0 | byte(len(method))}
	b = append(b, method...)
	b = append(b, 0x90|byte(len(params)))
	for _, p := range params {
		b = append(b, p...)
	}
	return b
}

// TestMalformedCalls hands the SDK Calls outside the ABI's MessagePack
// subset: each must come back as a fault Result (code -32603), never a
// trap, an allocation the size of a forged length, or a read past the
// region.
func TestMalformedCalls(t *testing.T) {
	in := instantiate(t, "add")
	deep := func(n int) []byte { return append(bytes.Repeat([]byte{0x91}, n), 0x01) }
	if got := in.call(callOf("add", deep(128), deep(128))); bytes.HasPrefix(got, []byte{0x93, 0x01}) {
		// 128 nested arrays are allowed (abi.MaxDepth), 129 are not (below).
		t.Errorf("add of arrays nested 128 deep faulted: %q", got)
	}
	for name, msg := range map[string][]byte{
		"empty":               {},
		"not an array":        {0xc0},
		"unused byte 0xc1":    callOf("add", []byte{0xc1}),
		"truncated":           callOf("add", []byte{0xcb, 0x00}),
		"forged array length": callOf("add", []byte{0xdd, 0xff, 0xff, 0xff, 0xff}),
		"forged params count": append(callOf("add")[:5], 0xdd, 0x7f, 0xff, 0xff, 0xff),
		"forged str length":   callOf("add", []byte{0xdb, 0xff, 0xff, 0xff, 0xf0, 'a'}),
		"invalid UTF-8":       callOf("add", []byte{0xa2, 0xc3, 0x28}),
		"duplicate key":       callOf("add", []byte{0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02}),
		"int key":             callOf("add", []byte{0x81, 0x01, 0x01}),
		"uint64 above int64":  callOf("add", []byte{0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0}),
		"nanoseconds 10^9":    callOf("add", []byte{0xd7, 0xff, 0xee, 0x6b, 0x28, 0x00, 0, 0, 0, 0}),
		"other extension":     callOf("add", []byte{0xd6, 0x05, 0, 0, 0, 0}),
		"timestamp of 5":      callOf("add", []byte{0xc7, 0x05, 0xff, 0, 0, 0, 0, 0}),
		"nested 129 deep":     callOf("add", deep(129), deep(1)),
		"trailing bytes":      append(callOf("add", []byte{0x01}, []byte{0x02}), 0xc0),
		"method not a str":    {0x92, 0x01, 0x90},
	} {
		got := in.call(msg)
		if !bytes.HasPrefix(got, []byte{0x93, 0x01, 0xd1, 0x80, 0xa5}) { // [1, -32603, ...]
			t.Errorf("%s: Result % x, want fault -32603", name, got[:min(len(got), 16)])
		} else {
			t.Logf("%s: %s", name, got[7:])
		}
	}
	// The instance still works after all that.
	if got := in.call(callOf("add", []byte{0x03}, []byte{0x04})); !bytes.Equal(got, []byte{0x92, 0x00, 0x07}) {
		t.Errorf("add(3, 4) after malformed calls: % x, want [0, 7]", got)
	}
}

// TestCallOutsideRegion checks that rpchost_call refuses a region that is
// not inside the one rpchost_alloc returned.
func TestCallOutsideRegion(t *testing.T) {
	in := instantiate(t, "add")
	ctx := context.Background()
	res, err := in.mod.ExportedFunction(abi.ExportAlloc).Call(ctx, 16)
	if err != nil {
		t.Fatal(err)
	}
	ptr := res[0]
	for _, c := range [][2]uint64{{ptr - 1, 4}, {ptr, 1 << 20}, {ptr + 1<<20, 4}, {0xffffffff, 0xffffffff}} {
		res, err := in.mod.ExportedFunction(abi.ExportCall).Call(ctx, c[0], c[1])
		if err != nil {
			t.Fatalf("rpchost_call(%#x, %d) trapped: %v", c[0], c[1], err)
		}
		out, _ := in.mod.Memory().Read(uint32(res[0]>>32), uint32(res[0]))
		if !bytes.HasPrefix(out, []byte{0x93, 0x01}) {
			t.Errorf("rpchost_call(%#x, %d) = % x, want a fault", c[0], c[1], out)
		}
	}
}
