package assemblyscript_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// These tests drive a module through its exports with wazero, as the host
// does but with bytes no host would send: the SDK must answer malformed
// MessagePack with a fault, never trap or read outside its region.

type module struct {
	t   *testing.T
	mod api.Module
	ctx context.Context
}

// instantiate loads examples/add.wasm, which imports only WASI.
func instantiate(t *testing.T) *module {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithMemoryLimitPages(1024))
	t.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	wasm, err := os.ReadFile(filepath.Join("examples", "add.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cm.ImportedFunctions() {
		if mod, name, _ := f.Import(); mod != wasi_snapshot_preview1.ModuleName && mod != "rpchost" {
			t.Errorf("add.wasm imports %s.%s: the host refuses anything but WASI and rpchost", mod, name)
		}
	}
	if _, ok := cm.ExportedMemories()["memory"]; !ok {
		t.Error("add.wasm exports no memory")
	}
	mod, err := rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithStartFunctions("_initialize"))
	if err != nil {
		t.Fatal(err)
	}
	if v := call1(t, ctx, mod, abi.ExportVersion); v != 1 {
		t.Fatalf("rpchost_abi_version = %d", v)
	}
	return &module{t: t, mod: mod, ctx: ctx}
}

func call1(t *testing.T, ctx context.Context, mod api.Module, name string, args ...uint64) uint64 {
	t.Helper()
	r, err := mod.ExportedFunction(name).Call(ctx, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r[0]
}

// region reads a packed region.
func (m *module) region(packed uint64) []byte {
	b, ok := m.mod.Memory().Read(uint32(packed>>32), uint32(packed))
	if !ok {
		m.t.Fatalf("region %#x is outside memory", packed)
	}
	return bytes.Clone(b)
}

// alloc asks for a region and writes in into it.
func (m *module) alloc(size int) uint32 {
	return uint32(call1(m.t, m.ctx, m.mod, abi.ExportAlloc, uint64(size)))
}

// callAt runs the call already written at ptr.
func (m *module) callAt(ptr uint32, n int) (any, error) {
	return abi.DecodeResult(m.region(call1(m.t, m.ctx, m.mod, abi.ExportCall, uint64(ptr), uint64(n))))
}

// call writes in to a fresh region and runs it.
func (m *module) call(in []byte) (any, error) {
	ptr := m.alloc(max(len(in), 4096))
	if !m.mod.Memory().Write(ptr, in) {
		m.t.Fatal("write outside memory")
	}
	return m.callAt(ptr, len(in))
}

func encodeCall(t *testing.T, method string, params ...any) []byte {
	t.Helper()
	b, err := abi.AppendCall(nil, method, params)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantFaultCode(t *testing.T, what string, err error, code int) {
	t.Helper()
	var f *abi.Fault
	if !errors.As(err, &f) || f.Code != code {
		t.Errorf("%s: err = %v, want a fault with code %d", what, err, code)
	}
}

func TestDescribe(t *testing.T) {
	m := instantiate(t)
	man, err := abi.DecodeManifest(m.region(call1(t, m.ctx, m.mod, abi.ExportDescribe)))
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Methods) != 1 || man.Methods[0].Name != "add" || len(man.Methods[0].Signatures) != 8 {
		t.Fatalf("manifest %+v", man)
	}
}

// TestRegionReused: the host may write several calls into one region
// from rpchost_alloc (abi/doc.go); the SDK's per-call memory must not
// overwrite it.
func TestRegionReused(t *testing.T) {
	m := instantiate(t)
	ptr := m.alloc(4096)
	for i := int64(0); i < 50; i++ {
		in := encodeCall(t, "add", i, i)
		m.mod.Memory().Write(ptr, in)
		if v, err := m.callAt(ptr, len(in)); err != nil || v != 2*i {
			t.Fatalf("call %d in the same region: %v, %v", i, v, err)
		}
	}
}

func nested(depth int) []byte {
	b := []byte{0x92, 0xa3, 'a', 'd', 'd', 0x92}
	b = append(b, bytes.Repeat([]byte{0x91}, depth)...)
	return append(b, 0xc0, 0x90)
}

func TestMalformedCalls(t *testing.T) {
	m := instantiate(t)
	valid := encodeCall(t, "add", int64(3), int64(4))
	cases := map[string][]byte{
		"empty":                {},
		"not an array":         {0xc0},
		"array of 3":           {0x93, 0xa3, 'a', 'd', 'd', 0x90, 0xc0},
		"truncated":            valid[:len(valid)-1],
		"trailing bytes":       append(bytes.Clone(valid), 0xc0),
		"name not a str":       {0x92, 0x01, 0x90},
		"params not an array":  {0x92, 0xa3, 'a', 'd', 'd', 0xc0},
		"count beyond the end": {0x92, 0xa3, 'a', 'd', 'd', 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01},
		"array beyond the end": {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xdd, 0x7f, 0xff, 0xff, 0xff, 0x90},
		"map beyond the end":   {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xdf, 0x7f, 0xff, 0xff, 0xff, 0x90},
		"bin beyond the end":   {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xc6, 0x7f, 0xff, 0xff, 0xff, 0x90},
		"str beyond the end":   {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x90},
		"invalid UTF-8":        {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xa2, 0xc3, 0x28, 0x90},
		"surrogate in UTF-8":   {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xa3, 0xed, 0xa0, 0x80, 0x90},
		"overlong UTF-8":       {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xa2, 0xc0, 0x80, 0x90},
		"uint64 above int64":   {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x01},
		"map key not a str":    {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0x81, 0x01, 0x01, 0x90},
		"duplicate map key":    {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02, 0x90},
		"other extension":      {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xd6, 0x01, 0, 0, 0, 0, 0x90},
		"timestamp of 9 bytes": {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xc7, 9, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x90},
		"10^9 nanoseconds":     {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xd7, 0xff, 0xee, 0x6b, 0x28, 0x00, 0, 0, 0, 0, 0x90},
		"type 0xc1":            {0x92, 0xa3, 'a', 'd', 'd', 0x92, 0xc1, 0x90},
		"nested 129 deep":      nested(129),
	}
	for name, in := range cases {
		_, err := m.call(in)
		wantFaultCode(t, name, err, abi.CodeInternalError)
	}
	// Nested 128 deep is the most the ABI carries, and comes back whole.
	v, err := m.call(nested(128))
	if err != nil {
		t.Fatalf("nested 128 deep: %v", err)
	}
	depth := 0
	for a, ok := v.([]any); ok; a, ok = a[0].([]any) {
		depth++
		if len(a) != 1 {
			break
		}
	}
	if depth != 128 {
		t.Errorf("nested 128 deep came back %d deep", depth)
	}
	_, err = m.call(encodeCall(t, "nope"))
	wantFaultCode(t, "unknown method", err, abi.CodeMethodNotFound)
	// The instance still answers.
	if v, err := m.call(valid); err != nil || v != int64(7) {
		t.Fatalf("after the bad calls: %v, %v", v, err)
	}
}

// TestRandomCalls mutates a valid call at random: whatever the bytes, the
// module answers a Result (a value or a fault) and never traps.
func TestRandomCalls(t *testing.T) {
	m := instantiate(t)
	seeds := [][]byte{
		encodeCall(t, "add", int64(3), int64(4)),
		encodeCall(t, "add", "héllo", []byte{1, 2}),
		encodeCall(t, "add", []any{1.5, abi.Struct{{Name: "a", Value: []any{true, nil}}}}, []any{}),
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		in := bytes.Clone(seeds[i%len(seeds)])
		for n := rng.Intn(4) + 1; n > 0; n-- {
			switch rng.Intn(3) {
			case 0:
				in[rng.Intn(len(in))] = byte(rng.Intn(256))
			case 1:
				in = in[:rng.Intn(len(in))+1]
			default:
				at := rng.Intn(len(in))
				in = append(in[:at], append([]byte{byte(rng.Intn(256))}, in[at:]...)...)
			}
		}
		_, err := m.call(in)
		var f *abi.Fault
		if err != nil && !errors.As(err, &f) {
			t.Fatalf("input %x: the result does not decode: %v", in, err)
		}
	}
	if v, err := m.call(seeds[0]); err != nil || !reflect.DeepEqual(v, int64(7)) {
		t.Fatalf("after the random calls: %v, %v", v, err)
	}
}

// TestMemoryReused makes calls through one instance until memory the SDK
// failed to give back between calls would show: each call holds about
// 0.4 MiB (a 64 KiB string in UTF-16 and UTF-8, twice), and the stub
// runtime never frees on its own.
func TestMemoryReused(t *testing.T) {
	m := instantiate(t)
	big := strings.Repeat("x", 64<<10)
	in := encodeCall(t, "add", big, "y")
	var first uint32
	for i := 0; i < 200; i++ {
		v, err := m.call(in)
		if s, _ := v.(string); err != nil || len(s) != len(big)+1 {
			t.Fatalf("call %d: %d bytes back, %v", i, len(s), err)
		}
		if i == 0 {
			first = m.mod.Memory().Size()
		}
	}
	t.Logf("memory after one call %d KiB, after 200 %d KiB", first>>10, m.mod.Memory().Size()>>10)
	if size := m.mod.Memory().Size(); size > first {
		t.Errorf("memory grew from %d to %d bytes over 200 calls of the same size", first, size)
	}
}
