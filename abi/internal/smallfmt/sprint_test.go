package smallfmt

import (
	"fmt"
	"testing"
)

func TestSprint(t *testing.T) {
	for _, v := range operands {
		if got, want := Sprint(v), fmt.Sprint(v); got != want {
			t.Errorf("Sprint(%#v) = %q, fmt says %q", v, got, want)
		}
	}
}

// selfish's String panics with a value whose String panics too: fmt would
// panic; Sprint, which the guest SDK calls while recovering, must not.
type selfish int

func (s selfish) String() string { panic(s + 1) }

func TestSprintNestedPanic(t *testing.T) {
	if got, want := Sprint(selfish(1)), "%!v(PANIC=String method: %!v(smallfmt.selfish))"; got != want {
		t.Fatalf("Sprint(selfish) = %q, want %q", got, want)
	}
}

func TestSprintRuntimeErrorPanic(t *testing.T) {
	var err error
	func() {
		defer func() { err = recover().(error) }()
		var m map[string]int
		m["x"]++
	}()
	if got, want := Sprint(err), fmt.Sprint(err); got != want {
		t.Fatalf("Sprint(runtime error) = %q, fmt says %q", got, want)
	}
	if got, want := Sprint(badStringer{}), fmt.Sprint(badStringer{}); got != want {
		t.Fatalf("Sprint(badStringer) = %q, fmt says %q", got, want)
	}
}

// badStringer's String panics with a runtime error, whose message Sprint
// prints as fmt does.
type badStringer struct{}

func (badStringer) String() string {
	var p *int
	return fmt.Sprint(*p)
}

func BenchmarkSprint(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Sprint(fmt.Errorf("x"))
	}
}
