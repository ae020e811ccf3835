package registry

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

type fakeMethod string

func (f fakeMethod) Help() string           { return string(f) }
func (f fakeMethod) Signatures() [][]string { return nil }
func (f fakeMethod) Call(context.Context, []any) (any, error) {
	return string(f), nil
}

func methods(names ...string) map[string]Method {
	m := map[string]Method{}
	for _, n := range names {
		m[n] = fakeMethod(n)
	}
	return m
}

func target(t *testing.T, r *Registry, name string) string {
	t.Helper()
	e, ok := r.Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q): not found", name)
	}
	return e.Target
}

func TestBareNameGoesToAlphabeticallyFirstPlugin(t *testing.T) {
	r := New(nil)
	if err := r.SetPlugin("numeric", methods("add", "triple")); err != nil {
		t.Fatal(err)
	}
	if err := r.SetPlugin("add", methods("add")); err != nil {
		t.Fatal(err)
	}
	if got := target(t, r, "add"); got != "add.add" {
		t.Errorf("add → %s, want add.add", got)
	}
	if got := target(t, r, "triple"); got != "numeric.triple" {
		t.Errorf("triple → %s, want numeric.triple", got)
	}
	want := []string{"add", "add.add", "numeric.add", "numeric.triple", "triple"}
	if got := r.Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

func TestConfiguredAliasWins(t *testing.T) {
	r := New(map[string]string{"add": "numeric.add"})
	_ = r.SetPlugin("add", methods("add"))
	_ = r.SetPlugin("numeric", methods("add"))
	if got := target(t, r, "add"); got != "numeric.add" {
		t.Errorf("add → %s, want numeric.add", got)
	}
}

func TestBuiltinsAndQualifiedNamesWinOverBareNames(t *testing.T) {
	r := New(nil)
	if err := r.RegisterBuiltin("system.listMethods", fakeMethod("builtin")); err != nil {
		t.Fatal(err)
	}
	_ = r.SetPlugin("x", methods("system.listMethods", "b.c"))
	_ = r.SetPlugin("b", methods("c"))
	e, _ := r.Lookup("system.listMethods")
	if e.Plugin != "" {
		t.Errorf("system.listMethods answered by plugin %q", e.Plugin)
	}
	if got := target(t, r, "b.c"); got != "b.c" {
		t.Errorf("b.c → %s", got)
	}
}

func TestRefusesDuplicatesAndReservedNames(t *testing.T) {
	r := New(nil, "system")
	_ = r.RegisterBuiltin("system.x", fakeMethod(""))
	if err := r.RegisterBuiltin("system.x", fakeMethod("")); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second RegisterBuiltin: %v, want ErrDuplicate", err)
	}
	if err := r.SetPlugin("system", methods("x")); !errors.Is(err, ErrReserved) {
		t.Errorf("SetPlugin(system): %v, want ErrReserved", err)
	}
}

func TestReplaceAndRemovePlugin(t *testing.T) {
	r := New(nil)
	_ = r.SetPlugin("p", methods("a", "b"))
	_ = r.SetPlugin("p", methods("c"))
	if _, ok := r.Lookup("p.a"); ok {
		t.Error("p.a still registered after replace")
	}
	if !r.RemovePlugin("p") {
		t.Fatal("RemovePlugin(p) = false")
	}
	if len(r.Names()) != 0 {
		t.Errorf("Names() = %v after removal", r.Names())
	}
	if r.RemovePlugin("p") {
		t.Error("second RemovePlugin(p) = true")
	}
}
