package guest

import (
	"errors"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

func init() {
	Register("test.double", func(p Params) (any, error) {
		n, err := p.Int(0)
		return n * 2, err
	})
	Register("test.want", func(p Params) (any, error) { return nil, p.Want(1) })
}

func TestInvoke(t *testing.T) {
	if v, err := Invoke("test.double", 21); v != int64(42) || err != nil {
		t.Fatalf("Invoke(test.double, 21) = %v, %v", v, err)
	}
	_, err := Invoke("test.double", "x")
	var f *abi.Fault
	if !errors.As(err, &f) || f.Code != abi.CodeInvalidParams {
		t.Fatalf("Invoke(test.double, x): err = %v", err)
	}
	if _, err := Invoke("test.double", []any{struct{}{}}); err == nil ||
		!strings.Contains(err.Error(), "guest.Invoke test.double: param 1[0]: Go type struct {}") {
		t.Fatalf("bad param: err = %v", err)
	}
	if _, err := Invoke("test.want"); err == nil || err.Error() != "fault -32602: test.want takes 1 param, got 0" {
		t.Fatalf("Want through Invoke: err = %v", err)
	}
	if current != nil {
		t.Fatal("Invoke left current set")
	}
}

func TestManifestListsRegistered(t *testing.T) {
	var names []string
	for _, m := range Manifest().Methods {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "test.double,test.want") {
		t.Fatalf("Manifest() methods = %s", got)
	}
}
