package c_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// guest is a C module that imports only WASI (the add example) instantiated in wazero without a host, so
// that a test can hand rpchost_call bytes no host would write.
type guest struct {
	t     testing.TB
	mod   api.Module
	alloc api.Function
	call  api.Function
}

func newGuest(t testing.TB, path string) *guest {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithMemoryLimitPages(1024))
	t.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	wasm, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rt.InstantiateWithConfig(ctx, wasm, wazero.NewModuleConfig().WithStartFunctions("_initialize"))
	if err != nil {
		t.Fatal(err)
	}
	return &guest{t, mod, mod.ExportedFunction(abi.ExportAlloc), mod.ExportedFunction(abi.ExportCall)}
}

// run hands msg to rpchost_call and decodes the Result, failing the test
// on a trap or on a Result the host could not read.
func (g *guest) run(msg []byte) (any, error) {
	g.t.Helper()
	ctx := context.Background()
	p, err := g.alloc.Call(ctx, uint64(len(msg)))
	if err != nil {
		g.t.Fatalf("rpchost_alloc(%d): %v", len(msg), err)
	}
	if !g.mod.Memory().Write(uint32(p[0]), msg) {
		g.t.Fatalf("rpchost_alloc returned %#x, outside memory", p[0])
	}
	return g.runAt(uint32(p[0]), uint32(len(msg)))
}

func (g *guest) runAt(ptr, n uint32) (any, error) {
	g.t.Helper()
	res, err := g.call.Call(context.Background(), uint64(ptr), uint64(n))
	if err != nil {
		g.t.Fatalf("rpchost_call(%#x, %d) trapped: %v", ptr, n, err)
	}
	out, ok := g.mod.Memory().Read(uint32(res[0]>>32), uint32(res[0]))
	if !ok {
		g.t.Fatalf("result region %#x outside memory", res[0])
	}
	v, err := abi.DecodeResult(out)
	if errors.Is(err, abi.ErrMalformed) {
		g.t.Fatalf("malformed Result %x: %v", out, err)
	}
	return v, err
}

// TestMalformedCalls hands the guest every truncation and many random
// corruptions of real Calls: each must be answered (a value or a fault),
// never trap or read outside its region.
func TestMalformedCalls(t *testing.T) {
	g := newGuest(t, "examples/add.wasm")
	var calls [][]byte
	for _, params := range [][]any{
		{int64(1), "héllo", 2.5, []byte{1, 2}, nil, true},
		{abi.Struct{{Name: "a", Value: []any{int64(-300), int64(1) << 40}}, {Name: "b", Value: abi.Struct{}}}},
	} {
		msg, err := abi.AppendCall(nil, "add", params)
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, msg)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	answered := 0
	for _, msg := range calls {
		for i := range msg {
			g.run(msg[:i]) // every truncation
			answered++
		}
		for range 3000 {
			bad := append([]byte(nil), msg...)
			for range 1 + rng.IntN(3) {
				bad[rng.IntN(len(bad))] = byte(rng.IntN(256))
			}
			g.run(bad)
			answered++
		}
	}
	t.Logf("%d malformed calls answered without a trap", answered)

	for _, tc := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"trailing bytes", append(must(abi.AppendCall(nil, "echo", []any{int64(1)})), 0), "bytes after its end"},
		{"array count beyond the message", []byte{0x92, 0xA4, 'e', 'c', 'h', 'o', 0xDD, 0xFF, 0xFF, 0xFF, 0xFF}, "longer than the message"},
		{"map key not a string", []byte{0x92, 0xA4, 'e', 'c', 'h', 'o', 0x91, 0x81, 0x01, 0x01}, "map key is not a string"},
		{"duplicate key", []byte{0x92, 0xA4, 'e', 'c', 'h', 'o', 0x91, 0x82, 0xA1, 'a', 0x01, 0xA1, 'a', 0x02}, "duplicate key"},
		{"invalid UTF-8", []byte{0x92, 0xA4, 'e', 'c', 'h', 'o', 0x91, 0xA2, 0xC3, 0x28}, "not valid UTF-8"},
		{"surrogate", []byte{0x92, 0xA4, 'e', 'c', 'h', 'o', 0x91, 0xA3, 0xED, 0xA0, 0x80}, "not valid UTF-8"},
		{"uint64 above int64", []byte{0x92, 0xA4, 'e', 'c', 'h', 'o', 0x91, 0xCF, 0x80, 0, 0, 0, 0, 0, 0, 0}, "above 2^63-1"},
		{"other extension", []byte{0x92, 0xA4, 'e', 'c', 'h', 'o', 0x91, 0xD4, 0x01, 0x00}, "extension"},
		{"nanoseconds 10^9", []byte{0x92, 0xA4, 'e', 'c', 'h', 'o', 0x91, 0xC7, 12, 0xFF, 0x3B, 0x9A, 0xCA, 0x00, 0, 0, 0, 0, 0, 0, 0, 0}, "10^9 nanoseconds"},
		{"too deep", append(append([]byte{0x92, 0xA4, 'e', 'c', 'h', 'o', 0x91}, []byte(strings.Repeat("\x91", 129))...), 0xC0), "deeper than 128"},
	} {
		_, err := g.run(tc.msg)
		var f *abi.Fault
		if !errors.As(err, &f) || f.Code != abi.CodeInternalError || !strings.Contains(f.Message, tc.want) {
			t.Errorf("%s: %v, want an internal-error fault saying %q", tc.name, err, tc.want)
		}
	}
	// 128 deep is allowed, in a param and in the result (add of two
	// arrays returns the first one's items).
	deep := append(append([]byte{0x92, 0xA3, 'a', 'd', 'd', 0x92}, []byte(strings.Repeat("\x91", 128))...), 0xC0, 0x90)
	if v, err := g.run(deep); err != nil || v == nil {
		t.Errorf("128 nested arrays: %v, %v", v, err)
	}
	// A region that ends past memory's end is refused, not read.
	size := g.mod.Memory().Size()
	for _, r := range [][2]uint32{{size - 4, 100}, {0xFFFFFFF0, 0x20}, {0, 0xFFFFFFFF}} {
		if _, err := g.runAt(r[0], r[1]); err == nil || !strings.Contains(err.Error(), "outside memory") {
			t.Errorf("rpchost_call(%#x, %d): %v", r[0], r[1], err)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkCAdd measures one add(3, 4) of the C example as a host makes
// it: alloc, write the Call, call, read and decode the Result; compare
// with examples/build's BenchmarkSDKPluginAdd (the Go add).
func BenchmarkCAdd(b *testing.B) {
	g := newGuest(b, "examples/add.wasm")
	ctx := context.Background()
	mem := g.mod.Memory()
	msg := must(abi.AppendCall(nil, "add", []any{int64(3), int64(4)}))
	stack := make([]uint64, 2)
	b.ReportAllocs()
	for b.Loop() {
		stack[0] = uint64(len(msg))
		if err := g.alloc.CallWithStack(ctx, stack); err != nil {
			b.Fatal(err)
		}
		p := uint32(stack[0])
		mem.Write(p, msg)
		stack[0], stack[1] = uint64(p), uint64(len(msg))
		if err := g.call.CallWithStack(ctx, stack); err != nil {
			b.Fatal(err)
		}
		out, _ := mem.Read(uint32(stack[0]>>32), uint32(stack[0]))
		if v, err := abi.DecodeResult(out); err != nil || v != int64(7) {
			b.Fatal(v, err)
		}
	}
}
