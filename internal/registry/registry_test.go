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

func TestStartUpGivesABareNameToTheAlphabeticallyFirstPlugin(t *testing.T) {
	r := New(nil)
	r.Remember(nil)
	if err := r.SetPlugin("numeric", methods("add", "triple")); err != nil {
		t.Fatal(err)
	}
	if err := r.SetPlugin("add", methods("add")); err != nil {
		t.Fatal(err)
	}
	r.Settle()
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

// recorder collects what the observer is told.
type recorder struct{ changes []Change }

func (rec *recorder) observe(ch Change) { rec.changes = append(rec.changes, ch) }

func (rec *recorder) last(t *testing.T) Change {
	t.Helper()
	if len(rec.changes) == 0 {
		t.Fatal("the observer was told nothing")
	}
	return rec.changes[len(rec.changes)-1]
}

func TestAnOwnedBareNameStaysWithItsOwner(t *testing.T) {
	r := New(nil)
	rec := &recorder{}
	r.Observe(rec.observe)
	_ = r.SetPlugin("numeric", methods("add"))
	if got := r.Owners(); !reflect.DeepEqual(got, map[string]string{"add": "numeric"}) {
		t.Errorf("Owners() = %v", got)
	}
	// aaa sorts first, and it must not matter: numeric owns add.
	if err := r.SetPlugin("aaa", methods("add")); err != nil {
		t.Fatal(err)
	}
	if got := target(t, r, "add"); got != "numeric.add" {
		t.Errorf("after aaa arrived, add → %s, want numeric.add", got)
	}
	want := []Conflict{{Name: "add", Owner: "numeric.add", Plugin: "aaa"}}
	if got := rec.last(t).Conflicts; !reflect.DeepEqual(got, want) {
		t.Errorf("conflicts told = %+v, want %+v", got, want)
	}
	if got := r.Conflicts("aaa", []string{"add", "nope"}); !reflect.DeepEqual(got, want) {
		t.Errorf("Conflicts(aaa) = %+v, want %+v", got, want)
	}
	if got := r.Conflicts("numeric", []string{"add"}); len(got) != 0 {
		t.Errorf("Conflicts(numeric) = %+v, want none", got)
	}
	// A reload of the owner keeps the name; a reload of aaa changes nothing.
	_ = r.SetPlugin("numeric", methods("add", "triple"))
	_ = r.SetPlugin("aaa", methods("add"))
	if got := target(t, r, "add"); got != "numeric.add" {
		t.Errorf("after reloads, add → %s, want numeric.add", got)
	}
	// The owner goes: the next candidate takes the name, and says so.
	r.RemovePlugin("numeric")
	if got := target(t, r, "add"); got != "aaa.add" {
		t.Errorf("after numeric left, add → %s, want aaa.add", got)
	}
	ch := rec.last(t)
	if want := []Move{{Name: "add", From: "numeric.add", To: "aaa.add"}, {Name: "triple", From: "numeric.triple"}}; !reflect.DeepEqual(ch.Moves, want) {
		t.Errorf("moves told = %+v, want %+v", ch.Moves, want)
	}
	if want := map[string]string{"add": "aaa"}; !reflect.DeepEqual(ch.Owners, want) {
		t.Errorf("owners told = %v, want %v", ch.Owners, want)
	}
	// numeric comes back: aaa keeps add now.
	_ = r.SetPlugin("numeric", methods("add"))
	if got := target(t, r, "add"); got != "aaa.add" {
		t.Errorf("after numeric came back, add → %s, want aaa.add", got)
	}
}

func TestAReloadWithoutTheMethodGivesTheNameAway(t *testing.T) {
	r := New(nil)
	_ = r.SetPlugin("b", methods("f"))
	_ = r.SetPlugin("a", methods("f"))
	_ = r.SetPlugin("b", methods("g"))
	if got := target(t, r, "f"); got != "a.f" {
		t.Errorf("f → %s, want a.f", got)
	}
}

func TestRememberedOwnersSurviveARestart(t *testing.T) {
	r := New(nil)
	rec := &recorder{}
	r.Observe(rec.observe)
	r.Remember(map[string]string{"add": "numeric"})
	_ = r.SetPlugin("add", methods("add"))
	// Until numeric is set, add waits for it rather than flip to add.add.
	if e, ok := r.Lookup("add"); ok {
		t.Errorf("during start-up, add → %s before its remembered owner loaded", e.Target)
	}
	_ = r.SetPlugin("numeric", methods("add"))
	if len(rec.changes) != 0 {
		t.Errorf("told %+v during start-up, want nothing until Settle", rec.changes)
	}
	r.Settle()
	if got := target(t, r, "add"); got != "numeric.add" {
		t.Errorf("add → %s, want numeric.add as remembered", got)
	}
	want := []Conflict{{Name: "add", Owner: "numeric.add", Plugin: "add"}}
	if got := rec.last(t).Conflicts; !reflect.DeepEqual(got, want) {
		t.Errorf("Settle told conflicts %+v, want %+v", got, want)
	}
}

func TestAnAbsentRememberedOwnerLosesItsNameAtSettle(t *testing.T) {
	r := New(nil)
	rec := &recorder{}
	r.Observe(rec.observe)
	r.Remember(map[string]string{"add": "gone", "old": "gone"})
	_ = r.SetPlugin("numeric", methods("add"))
	_ = r.SetPlugin("add", methods("add"))
	r.Settle()
	if got := target(t, r, "add"); got != "add.add" {
		t.Errorf("add → %s, want add.add", got)
	}
	ch := rec.last(t)
	wantMoves := []Move{{Name: "add", From: "gone.add", To: "add.add"}, {Name: "old", From: "gone.old"}}
	if !reflect.DeepEqual(ch.Moves, wantMoves) {
		t.Errorf("moves %+v, want %+v", ch.Moves, wantMoves)
	}
	if want := map[string]string{"add": "add"}; !reflect.DeepEqual(ch.Owners, want) {
		t.Errorf("owners %v, want %v", ch.Owners, want)
	}
}

func TestConfiguredAliasWins(t *testing.T) {
	r := New(map[string]string{"add": "numeric.add"})
	_ = r.SetPlugin("add", methods("add"))
	_ = r.SetPlugin("numeric", methods("add"))
	if got := target(t, r, "add"); got != "numeric.add" {
		t.Errorf("add → %s, want numeric.add", got)
	}
	if got := r.Conflicts("add", []string{"add"}); len(got) != 1 || !got[0].Pinned || got[0].Owner != "numeric.add" {
		t.Errorf("Conflicts(add) = %+v, want one pinned to numeric.add", got)
	}
	if _, owned := r.Owners()["add"]; owned {
		t.Error("a pinned bare name is recorded as owned")
	}
	// The pinned target goes: the bare name is not handed to add.add.
	r.RemovePlugin("numeric")
	if e, ok := r.Lookup("add"); ok {
		t.Errorf("add → %s after its pinned target left, want nothing", e.Target)
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
