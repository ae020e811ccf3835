package guest

import (
	"errors"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

func TestParamsAccessors(t *testing.T) {
	now := time.Date(1998, 7, 17, 14, 8, 55, 0, time.UTC)
	p := Params{int64(7), 2.5, "s", true, []byte("b"), now, []any{int64(1)}, abi.Struct{{Name: "a"}}, nil}
	if p.Len() != 9 {
		t.Fatalf("Len = %d", p.Len())
	}
	if v, err := p.Int(0); v != 7 || err != nil {
		t.Errorf("Int(0) = %v, %v", v, err)
	}
	if v, err := p.Float(1); v != 2.5 || err != nil {
		t.Errorf("Float(1) = %v, %v", v, err)
	}
	if v, err := p.Float(0); v != 7 || err != nil {
		t.Errorf("Float(0) of an int = %v, %v", v, err)
	}
	if v, err := p.String(2); v != "s" || err != nil {
		t.Errorf("String(2) = %v, %v", v, err)
	}
	if v, err := p.Bool(3); !v || err != nil {
		t.Errorf("Bool(3) = %v, %v", v, err)
	}
	if v, err := p.Bytes(4); string(v) != "b" || err != nil {
		t.Errorf("Bytes(4) = %v, %v", v, err)
	}
	if v, err := p.Time(5); !v.Equal(now) || err != nil {
		t.Errorf("Time(5) = %v, %v", v, err)
	}
	if v, err := p.Array(6); len(v) != 1 || err != nil {
		t.Errorf("Array(6) = %v, %v", v, err)
	}
	if v, err := p.Struct(7); len(v) != 1 || err != nil {
		t.Errorf("Struct(7) = %v, %v", v, err)
	}
	if v, err := p.Any(8); v != nil || err != nil {
		t.Errorf("Any(8) = %v, %v", v, err)
	}
}

func TestParamsFaults(t *testing.T) {
	p := Params{"s", int64(1 << 40)}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"Int", second(p.Int(0)), "param 1: want int, got string"},
		{"Float", second(p.Float(0)), "param 1: want double, got string"},
		{"String", second(p.String(1)), "param 2: want string, got i8"},
		{"Bool", second(p.Bool(0)), "param 1: want boolean, got string"},
		{"Bytes", second(p.Bytes(0)), "param 1: want base64, got string"},
		{"Time", second(p.Time(0)), "param 1: want dateTime.iso8601, got string"},
		{"Array", second(p.Array(0)), "param 1: want array, got string"},
		{"Struct", second(p.Struct(0)), "param 1: want struct, got string"},
		{"Any", second(p.Any(2)), "param 3: missing (got 2 params)"},
		{"Int missing", second(p.Int(5)), "param 6: missing (got 2 params)"},
		{"Any negative", second(p.Any(-1)), "param 0: missing (got 2 params)"},
		{"Any of one", second(Params{nil}.Any(1)), "param 2: missing (got 1 param)"},
		{"Want", p.Want(3), "method takes 3 params, got 2"},
		{"Want 1", p.Want(1), "method takes 1 param, got 2"},
	} {
		var f *abi.Fault
		if !errors.As(tc.err, &f) || f.Code != abi.CodeInvalidParams || f.Message != tc.want {
			t.Errorf("%s: err = %v, want fault %d %q", tc.name, tc.err, abi.CodeInvalidParams, tc.want)
		}
	}
	if err := p.Want(2); err != nil {
		t.Errorf("Want(2) = %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
