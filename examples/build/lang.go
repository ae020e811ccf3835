package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// A language is one kind of guest source this command builds. A guest's
// directory holds the source files of exactly one language; its files
// decide which.
type language struct {
	// name is shown in the output ("go guest", "wat guest") and in errors.
	name string
	// owns reports whether a file (its base name) is a source file of this
	// language. Files no language owns (README, tests) are ignored.
	owns func(file string) bool
	// single is true when a guest holds exactly one source file (a .wat
	// module), so that two of them are an error rather than a guess.
	single bool
	// command returns the command that builds src into out (an absolute
	// path), run from root. When the language's toolchain is not
	// installed it returns a toolMissing error, and the guest is skipped
	// rather than failed (unless it was asked for by name).
	command func(ctx context.Context, root string, src source, out string) (*exec.Cmd, error)
}

// languages are the languages this command builds, in the order their
// names are listed when a guest has no source at all.
var languages = []*language{&goLanguage, &watLanguage, &cLanguage, &rustLanguage, &assemblyScriptLanguage}

// A toolMissing error says which tool a language needs and how to install
// it. A guest whose toolchain is missing is skipped, not failed, when
// everything is built: a machine with only Go still rebuilds every Go guest.
type toolMissing string

func (e toolMissing) Error() string { return string(e) }

// isToolMissing reports whether err says a toolchain is not installed.
func isToolMissing(err error) bool {
	var tm toolMissing
	return errors.As(err, &tm)
}

// goLanguage builds a Go main package with the Go SDK as a WASI reactor
// (c-shared) with paths trimmed and no VCS stamp, so the output depends
// only on the sources and the toolchain; symbols are kept, since a trap's
// stack trace needs function names.
var goLanguage = language{
	name: "go",
	owns: func(file string) bool { return strings.HasSuffix(file, ".go") && !strings.HasSuffix(file, "_test.go") },
	command: func(ctx context.Context, root string, src source, out string) (*exec.Cmd, error) {
		goBin, err := exec.LookPath("go")
		if err != nil {
			return nil, fmt.Errorf("find the go command: %w", err)
		}
		cmd := exec.CommandContext(ctx, goBin, "build", "-buildmode=c-shared", "-trimpath", "-buildvcs=false",
			"-o", out, "./"+filepath.ToSlash(rel(root, src.dir)))
		cmd.Dir = root
		// GOWASM and GOFLAGS could change the bytes (-ldflags=-s, say): pin them.
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOWASM=", "GOFLAGS=")
		return cmd, nil
	},
}

// errNoWat2wasm is returned when wat2wasm (from WABT) is not installed.
var errNoWat2wasm = toolMissing("wat2wasm not found: install WABT (apt-get install wabt, brew install wabt)")

// watLanguage builds one hand-written .wat file with wat2wasm, keeping its
// names (--debug-names) for the same reason Go guests keep their symbols.
var watLanguage = language{
	name:   "wat",
	owns:   func(file string) bool { return strings.HasSuffix(file, ".wat") },
	single: true,
	command: func(ctx context.Context, root string, src source, out string) (*exec.Cmd, error) {
		wat2wasm, err := exec.LookPath("wat2wasm")
		if err != nil {
			return nil, errNoWat2wasm
		}
		cmd := exec.CommandContext(ctx, wat2wasm, "--debug-names", "-o", out, rel(root, src.files[0]))
		cmd.Dir = root
		return cmd, nil
	},
}

// languageNames lists every language's name, for messages.
func languageNames() string {
	names := make([]string, len(languages))
	for i, l := range languages {
		names[i] = l.name
	}
	return strings.Join(names, ", ")
}
