package main

import (
	"fmt"
	"runtime/debug"

	"github.com/rpchost/rpchost/abi"
)

// versionText is what rpchost --version prints: the module version (as go
// install stamps it; "(devel)" for a local build), the commit the binary
// was built from (go build stamps it in a git checkout) and the ABI
// version guests must speak.
func versionText() string {
	version, commit, modified := "(devel)", "unknown", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		commit += " (modified)"
	}
	return fmt.Sprintf("rpchost %s\ncommit %s\nABI version %d\n", version, commit, abi.Version)
}
