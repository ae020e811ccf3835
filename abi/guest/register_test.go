package guest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

func nop(Params) (any, error) { return nil, nil }

func newRegistry() *registry { return &registry{methods: map[string]*method{}} }

func TestRegisterRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    Handler
		opts []Option
		want string
	}{
		{"", nop, nil, "method name is empty"},
		{"_hidden", nop, nil, `starts with "_"`},
		{"a-b", nop, nil, `'-' at byte 1`},
		{"ok", nil, nil, "handler is nil"},
		{"ok", nop, []Option{Signature()}, "signature is empty"},
		{"ok", nop, []Option{Signature("int", "integer")}, `"integer" is not an XML-RPC type name`},
		{"ok", nop, []Option{Help("\xff")}, "help text is not valid UTF-8"},
	} {
		err := newRegistry().register(tc.name, tc.h, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("register(%q): err = %v, want %q", tc.name, err, tc.want)
		}
	}
	r := newRegistry()
	if err := r.register("x", nop); err != nil {
		t.Fatal(err)
	}
	if err := r.register("x", nop); err == nil || !strings.Contains(err.Error(), "registered twice") {
		t.Errorf("duplicate: err = %v", err)
	}
}

func TestRegisterPanicsOnMistakes(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "guest.Register: method name") {
			t.Fatalf("panic = %v", p)
		}
	}()
	Register("bad name", nop)
}

func TestDescribe(t *testing.T) {
	r := newRegistry()
	must(t, r.register("zeta", nop))
	must(t, r.register("alpha", nop, Help("First."), Signature("int", "int"), Signature("string", "string")))
	want := abi.Manifest{ABI: abi.Version, Methods: []abi.MethodDesc{
		{Name: "alpha", Help: "First.", Signatures: [][]string{{"int", "int"}, {"string", "string"}}},
		{Name: "zeta"},
	}}
	if got := r.describe(); !reflect.DeepEqual(got, want) {
		t.Fatalf("describe() = %+v, want %+v", got, want)
	}
	m, err := abi.DecodeManifest(r.encodedManifest())
	if err != nil || m.Methods[0].Name != "alpha" || len(m.Methods) != 2 {
		t.Fatalf("encoded manifest decodes to %+v, %v", m, err)
	}
	must(t, r.register("beta", nop)) // after describe: the cache is dropped
	if m, _ := abi.DecodeManifest(r.encodedManifest()); len(m.Methods) != 3 {
		t.Fatalf("manifest not refreshed: %+v", m)
	}
}

func TestSignatureCopiesItsArguments(t *testing.T) {
	types := []string{"int", "int"}
	r := newRegistry()
	must(t, r.register("m", nop, Signature(types...)))
	types[0] = "string"
	if got := r.describe().Methods[0].Signatures[0][0]; got != "int" {
		t.Fatalf("signature changed with the caller's slice: %q", got)
	}
}

func TestLookup(t *testing.T) {
	for _, n := range []int{1, 8, 9, 40} {
		r := newRegistry()
		for i := 0; i < n; i++ {
			must(t, r.register("m"+strings.Repeat("x", i), nop))
		}
		for i := 0; i < n; i++ {
			name := "m" + strings.Repeat("x", i)
			if m := r.lookup([]byte(name)); m == nil || m.name != name {
				t.Errorf("%d methods: lookup(%q) = %v", n, name, m)
			}
		}
		if m := r.lookup([]byte("nope")); m != nil {
			t.Errorf("%d methods: lookup(nope) = %v", n, m)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
