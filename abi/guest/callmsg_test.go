package guest

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

// parseCall runs registry.parseCall for an untyped method with scratch as
// the params' array.
func parseCall(in []byte, scratch []any) ([]byte, []any, error) {
	r := &registry{params: scratch}
	_, name, params, err := r.parseCall(in)
	return name, params, err
}

func TestParseCallAgreesWithABI(t *testing.T) {
	for _, params := range [][]any{nil, {int64(3), int64(4)}, make([]any, 20), {"s", []any{abi.Struct{{Name: "a"}}}}} {
		in, err := abi.AppendCall(nil, "some.method", params)
		if err != nil {
			t.Fatal(err)
		}
		method, got, err := parseCall(in, nil)
		wantMethod, want, _ := abi.DecodeCall(in)
		if err != nil || string(method) != wantMethod || len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
			t.Errorf("parseCall = %q, %v, %v; want %q, %v", method, got, err, wantMethod, want)
		}
	}
}

func TestParseCallFixintsAgreeWithABI(t *testing.T) {
	for b := 0; b <= 0xff; b++ {
		in := []byte{0x92, 0xa1, 'm', 0x91, byte(b)}
		_, got, gotErr := parseCall(in, nil)
		_, want, wantErr := abi.DecodeCall(in)
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("param byte 0x%02x: parseCall = %#v, %v; abi.DecodeCall = %#v, %v", b, got, gotErr, want, wantErr)
		}
	}
}

func TestParseCallReusesScratch(t *testing.T) {
	in, _ := abi.AppendCall(nil, "m", []any{int64(1), int64(2)})
	scratch := make([]any, 0, 4)
	_, got, err := parseCall(in, scratch)
	if err != nil || &got[:1][0] != &scratch[:1][0] {
		t.Fatal("params not decoded into the scratch array")
	}
	r := &registry{params: scratch}
	if allocs := testing.AllocsPerRun(100, func() { _, _, _, _ = r.parseCall(in) }); allocs != 0 {
		t.Fatalf("parseCall allocates %v times for small ints", allocs)
	}
}

func TestParseCallMalformed(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "byte 0: Call is not an array of 2"},
		{"91 a0", "byte 0: Call is not an array of 2"},
		{"92 01 90", "byte 1: method name is not a str"},
		{"92 a5 61", "byte 1: method name runs past the end"},
		{"92 a161 c0", "byte 3: params is not an array"},
		{"92 a161 dd ffffffff", "byte 3: params claims 4294967295 elements but only 0 bytes remain"},
		{"92 a161 92 01 c1", "byte 5: byte 0xc1"},
		{"92 a161 91 81 01 01", "byte 5: map key is int"},
		{"92 a161 90 c0", "byte 4: 1 unexpected bytes after the Call"},
	} {
		_, _, err := parseCall(hexBytes(tc.in), nil)
		if !errors.Is(err, abi.ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseCall(%s): err = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParseCall: parseCall never panics and accepts whatever abi.DecodeCall
// accepts, with the same result.
func FuzzParseCall(f *testing.F) {
	for _, s := range []string{"92 a3616464 92 03 04", "92 a0 90", "dc 0002 a161 90", "92 a161 dd ffffffff"} {
		f.Add(hexBytes(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		method, params, err := parseCall(in, nil)
		wantMethod, wantParams, wantErr := abi.DecodeCall(in)
		if wantErr == nil {
			if err != nil || string(method) != wantMethod || len(params) != len(wantParams) {
				t.Fatalf("abi.DecodeCall accepts % x as %q%v, parseCall: %q%v, %v", in, wantMethod, wantParams, method, params, err)
			}
		}
		if err != nil && !errors.Is(err, abi.ErrMalformed) {
			t.Fatalf("error does not wrap ErrMalformed: %v", err)
		}
	})
}

func hexBytes(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}
