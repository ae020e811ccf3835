package plugin

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rpchost/rpchost/internal/interrupt"
)

// instrumentedFormat names what interrupt.Instrument writes. The
// instrumented form of a module is kept in the compilation cache under
// this name, so a binary whose Instrument writes something else must use
// another: TestInstrumentedFormatPinsTheOutput fails until it is changed.
const instrumentedFormat = "rpchost-instrumented-v1"

// instrumentedCacheSlack bounds a cached instrumented module by its
// source's size: the checks add far less (a few percent for a Go guest),
// and a larger file is not read.
const instrumentedCacheSlack = 2

// instrument returns wasm with the interrupt checks, from the compilation
// cache when a previous run instrumented the same bytes (digest is their
// SHA-256, hex).
//
// On a warm start, instrumenting was the largest cost after wazero's own
// validation (~45 ms of CPU for a 2.5 MB Go guest, a third of a start-up
// with the shipped plugins); reading it back costs a file read and a hash.
// The cache directory already holds the machine code wazero runs without
// checking it, so trusting it with the instrumented bytes adds no trust;
// the hash stored with them only catches a file that was cut short or
// damaged, which is then instrumented again and rewritten.
//
// When wasm is nil and opts.Read is set, Read gives it, only if it must
// be instrumented.
func (r *Runtime) instrument(wasm []byte, opts Options) ([]byte, error) {
	size, lazy := len(wasm), wasm == nil && opts.Read != nil
	if lazy {
		size = opts.Size
	}
	path := r.instrumentedPath(opts.Digest)
	if path != "" {
		if out, ok := readInstrumented(path, size); ok {
			return out, nil
		}
	}
	if lazy {
		var err error
		if wasm, err = opts.Read(); err != nil {
			return nil, err
		}
	}
	out, err := interrupt.Instrument(wasm)
	if err != nil || path == "" {
		return out, err
	}
	if err := writeInstrumented(path, out); err != nil {
		// A cache that cannot be written costs the next start time, no more.
		r.logger.Warn("keeping the instrumented module in the cache failed", "error", err.Error())
	}
	return out, nil
}

// instrumentedPath is where the instrumented form of the module with this
// digest is kept, or "" when there is no cache or no digest.
func (r *Runtime) instrumentedPath(digest string) string {
	if r.opts.CacheDir == "" || len(digest) != 2*sha256.Size {
		return ""
	}
	for _, c := range digest {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ""
		}
	}
	return filepath.Join(r.opts.CacheDir, instrumentedFormat, digest+".wasm")
}

// readInstrumented reads what writeInstrumented wrote: the module, then the
// SHA-256 of the module.
func readInstrumented(path string, sourceSize int) ([]byte, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.Size() < sha256.Size || info.Size() > int64(sourceSize)*instrumentedCacheSlack+sha256.Size+64<<10 {
		return nil, false
	}
	b := make([]byte, info.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, false
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, false
	}
	return body, true
}

// writeInstrumented writes the module and its hash to a temporary file and
// renames it into place, so that a reader never sees half a file.
func writeInstrumented(path string, module []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	sum := sha256.Sum256(module)
	_, werr := tmp.Write(module)
	if werr == nil {
		_, werr = tmp.Write(sum[:])
	}
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", tmp.Name(), err), os.Remove(tmp.Name()))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return errors.Join(err, os.Remove(tmp.Name()))
	}
	return nil
}
