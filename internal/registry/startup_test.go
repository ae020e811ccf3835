package registry

import (
	"fmt"
	"sync"
	"testing"
)

// TestStartUpWritesAreSeenByTheNextReader: during the start-up phase a
// write only marks the table stale; every reader must still see it at once.
func TestStartUpWritesAreSeenByTheNextReader(t *testing.T) {
	r := New(nil)
	r.Remember(nil)
	if err := r.SetPlugin("add", methods("add")); err != nil {
		t.Fatal(err)
	}
	if got := target(t, r, "add.add"); got != "add.add" {
		t.Errorf("add.add → %s", got)
	}
	if err := r.SetPlugin("numeric", methods("triple")); err != nil {
		t.Fatal(err)
	}
	if got := r.Names(); len(got) != 4 {
		t.Errorf("Names() = %v, want add, add.add, numeric.triple, triple", got)
	}
	if got := r.Conflicts("numeric", []string{"triple"}); len(got) != 0 {
		t.Errorf("Conflicts = %+v", got)
	}
	r.RemovePlugin("add")
	if e, ok := r.Lookup("add.add"); ok {
		t.Errorf("add.add → %s after its plugin was removed", e.Target)
	}
	r.Settle()
	if got := target(t, r, "triple"); got != "numeric.triple" {
		t.Errorf("triple → %s after Settle", got)
	}
	if r.stale.Load() {
		t.Error("the table is still stale after Settle")
	}
}

// TestStartUpWritesRaceReaders loads plugins while readers look them up,
// as a start-up whose loads finish in any order would (run with -race):
// a reader sees each plugin once its SetPlugin has returned.
func TestStartUpWritesRaceReaders(t *testing.T) {
	r := New(nil)
	r.Remember(nil)
	const plugins = 200
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < plugins; i += 4 {
				name := fmt.Sprintf("p%03d", i)
				if err := r.SetPlugin(name, methods("m")); err != nil {
					t.Error(err)
					return
				}
				if _, ok := r.Lookup(name + ".m"); !ok {
					t.Errorf("%s.m not found right after its SetPlugin", name)
				}
			}
		})
	}
	wg.Wait()
	r.Settle()
	if got := len(r.Names()); got != plugins+1 {
		t.Errorf("%d names, want %d qualified and the bare m", got, plugins+1)
	}
	if got := target(t, r, "m"); got != "p000.m" {
		t.Errorf("m → %s, want p000.m", got)
	}
}

// BenchmarkStartUp1000Plugins registers 1,000 one-method plugins in a
// start-up phase and settles: what a directory of 1,000 copies costs the
// registry (1.2 s per op when every SetPlugin rebuilt the table).
func BenchmarkStartUp1000Plugins(b *testing.B) {
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("add%04d", i)
	}
	m := methods("add")
	for b.Loop() {
		r := New(nil)
		r.Remember(nil)
		for _, n := range names {
			if err := r.SetPlugin(n, m); err != nil {
				b.Fatal(err)
			}
		}
		r.Settle()
	}
}
