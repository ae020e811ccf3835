//go:build !wasip1

package abitest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tetratelabs/wazero"
)

// A module imports the capabilities it uses and no others: the host refuses
// a module importing kv_* without the "kv" grant or a store, so the end of
// every call (which hands writes over) must not pull kv_write into a plugin
// that never writes.
func TestImportsFollowUse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two wasm modules")
	}
	for guestDir, want := range map[string][]string{
		"nostore": nil,
		"store":   {"kv_write"},
	} {
		out := filepath.Join(t.TempDir(), guestDir+".wasm")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-o", out, "./testdata/imports/"+guestDir)
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", guestDir, err, b)
		}
		bin, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		rt := wazero.NewRuntime(ctx)
		defer rt.Close(ctx)
		mod, err := rt.CompileModule(ctx, bin)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, fn := range mod.ImportedFunctions() {
			if m, name, _ := fn.Import(); m == "rpchost" && name != "result_read" && name != "log" {
				got = append(got, name)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s imports rpchost %v, want %v", guestDir, got, want)
		}
	}
}
