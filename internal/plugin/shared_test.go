package plugin

import (
	"context"
	"os"
	"testing"
)

func TestPluginsWithOneDigestShareTheCompiledModule(t *testing.T) {
	ctx := context.Background()
	calc, err := os.ReadFile("../../host/testdata/calc.wasm")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := NewRuntime(ctx, RuntimeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	load := func(name, digest string) *Plugin {
		t.Helper()
		p, err := rt.Load(ctx, name, calc, Options{PoolSize: 1, Digest: digest})
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		return p
	}
	add := func(p *Plugin) {
		t.Helper()
		if v, err := p.Methods()["add"].Call(ctx, []any{int64(3), int64(4)}); err != nil || v != int64(7) {
			t.Fatalf("%s.add(3, 4) = %v, %v", p.Name(), v, err)
		}
	}
	a, b, other, unshared := load("a", "d1"), load("b", "d1"), load("c", "d2"), load("e", "")
	if a.compiled != b.compiled {
		t.Error("two plugins with one digest compiled twice")
	}
	if a.compiled == other.compiled || a.compiled == unshared.compiled {
		t.Error("plugins with different or no digests share a compiled module")
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(ctx); err != nil { // twice: still one reference dropped
		t.Fatal(err)
	}
	add(b) // the module a compiled stays while b holds it
	for _, p := range []*Plugin{b, other, unshared} {
		add(p)
		if err := p.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(rt.shared.modules); n != 0 {
		t.Errorf("%d shared modules left after every plugin closed", n)
	}
	add(load("f", "d1")) // compiled again once none was left
}
