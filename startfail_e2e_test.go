package rpchost_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAStartWithoutPluginDirectoryCreatesNothing runs rpchost where there
// is no plugins/ directory, with the default store (./data): it must fail
// with status 2 naming the directory and leave the working directory as it
// found it, with no data/rpchost.db for the next start to trip over.
func TestAStartWithoutPluginDirectoryCreatesNothing(t *testing.T) {
	for _, plugins := range []string{"", "a-file"} {
		dir := t.TempDir()
		args := []string{"serve", "--listen", "127.0.0.1:0"}
		if plugins != "" {
			writeFile(t, filepath.Join(dir, plugins), []byte("not a directory"))
			args = append(args, "--plugins", plugins)
		}
		r := runRPCHost(t, dir, []string{"RPCHOST_CACHE_DIR=off"}, args...)
		if r.code != 2 || !strings.Contains(r.out, "plugin directory") {
			t.Errorf("plugins %q: exit %d, output:\n%s\nwant exit 2 and a message about the plugin directory", plugins, r.code, r.out)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != plugins {
				t.Errorf("plugins %q: the failed start left %s behind", plugins, e.Name())
			}
		}
	}
}
