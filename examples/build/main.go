// Command build rebuilds plugins/ from examples/guests: every Go guest with
// the Go toolchain (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared) and every
// .wat guest with wat2wasm, writing plugins/<directory name>.wasm.
//
//	go run ./examples/build
//
// It prints what it built and exits with status 1 on failure. The built
// files are committed; build_test.go fails when one differs from what its
// source builds, so run this after changing a guest or the SDK.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"
)

func main() {
	out := flag.String("out", "", "directory to write the .wasm files to (default: plugins/ of the module)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, pluginsDir)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	results, err := buildAll(ctx, root, out, os.Stdout)
	if err != nil {
		return err
	}
	sources := make([]source, len(results))
	for i, r := range results {
		sources[i] = r.src
	}
	stray, err := strayPlugins(out, sources)
	if err != nil {
		return err
	}
	for _, f := range stray {
		fmt.Printf("warning: %s has no source under %s: delete it or add its source\n", rel(root, f), guestsDir)
	}
	fmt.Printf("built %d plugins in %s\n", len(results), time.Since(start).Round(10*time.Millisecond))
	return nil
}
