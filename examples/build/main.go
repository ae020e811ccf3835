// Command build rebuilds the example guests: examples/guests/<name> into
// plugins/<name>.wasm (the plugins served by default) and
// examples/deploy/<name> into examples/deploy/<name>.wasm (the modules of
// README's deploy walkthrough). Go guests are built with the Go toolchain
// (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared), .wat guests with wat2wasm.
//
//	go run ./examples/build            # every guest
//	go run ./examples/build types      # only the guests named
//	go run ./examples/build examples/guests/records  # a name several guests share: its directory
//
// It prints what it built. A .wat guest is skipped, with the reason, when
// wat2wasm is not installed, so a machine with only Go still rebuilds every
// Go guest. It exits with status 1 when a guest failed to build, or when a
// guest named on the command line could not be built. The built files are
// committed; build_test.go fails when one differs from what its source
// builds, so run this after changing a guest or the SDK.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"
)

func main() {
	out := flag.String("out", "", "directory to write the .wasm files to (default: each guest's committed place, plugins/ or examples/deploy/)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./examples/build [-out DIR] [GUEST...]\n\n"+
			"Rebuilds the example guests (all of them, or those named: records, up, ...; a name\n"+
			"several guests share is given by directory: sdk/c/examples/add).\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, ".", *out, flag.Args(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
}

// errFailed is returned when a guest that had to be built was not.
var errFailed = errors.New("not every guest was built")

// run builds the guests named (all when names is empty) of the module that
// holds dir and reports on w.
func run(ctx context.Context, dir, out string, names []string, w io.Writer) error {
	root, err := moduleRoot(dir)
	if err != nil {
		return err
	}
	all, err := findSources(root)
	if err != nil {
		return err
	}
	sources, err := selectSources(root, all, names)
	if err != nil {
		return err
	}
	start := time.Now()
	results := buildAll(ctx, root, sources, out, w)
	var built, skipped, failed, why []string
	for _, r := range results {
		switch {
		case r.err == nil:
			built = append(built, r.src.name)
		case r.skipped && len(names) == 0:
			// Asked for everything: what a missing tool cannot build is
			// reported, not a failure.
			skipped = append(skipped, r.src.name)
			// Each missing tool once, in its own words (wat2wasm, asc, ...).
			var tm toolMissing
			if errors.As(r.err, &tm) && !slices.Contains(why, string(tm)) {
				why = append(why, string(tm))
			}
		default:
			failed = append(failed, r.src.name)
		}
	}
	if len(names) == 0 && out == "" {
		stray, err := strayModules(root, all)
		if err != nil {
			return err
		}
		for _, f := range stray {
			fmt.Fprintf(w, "warning: %s has no source: delete it or add its source\n", rel(root, f))
		}
	}
	fmt.Fprintf(w, "built %d of %d guests in %s\n", len(built), len(sources), time.Since(start).Round(10*time.Millisecond))
	if len(skipped) > 0 {
		fmt.Fprintf(w, "skipped %s: %s; their committed modules are left as they are\n", strings.Join(skipped, ", "), strings.Join(why, "; "))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %s failed (see above)", errFailed, strings.Join(failed, ", "))
	}
	if len(results) < len(sources) {
		return fmt.Errorf("%w: stopped after %d of %d", errFailed, len(results), len(sources))
	}
	return nil
}
