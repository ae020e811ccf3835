package plugin

import (
	"context"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// TestAPanicInWazeroIsAFailedLoad shows wazero, without Instrument in
// front, a module it panics on: the panic must come back as an error.
func TestAPanicInWazeroIsAFailedLoad(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	callToMissingType := []byte{0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 4, 1, 0x60, 0, 0, // one type, () -> ()
		3, 3, 2, 0, 48, // functions of types 0 and 48
		10, 9, 2, 4, 0, 0x10, 1, 0x0b, 2, 0, 0x0b, // the first calls the second
	}
	compiled, err := compileGuarded(ctx, rt, callToMissingType)
	if compiled != nil || err == nil || !strings.Contains(err.Error(), "wazero failed on this module") {
		t.Fatalf("compileGuarded = %v, %v; want a failed load", compiled, err)
	}
}
