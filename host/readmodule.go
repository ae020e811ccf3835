package host

import (
	"crypto/sha256"
	"fmt"
	"os"
	"time"

	"github.com/rpchost/rpchost/internal/regularfile"
)

// readModule returns the digest and size of the module file at path and,
// unless its digest is known from its stat (digests.go), its bytes; wasm
// is nil when they were not read. start is when the load began.
//
// Only a regular file is read, checked on the file opened (it may have
// been swapped for a FIFO since the listing), and at most
// MaxModuleFileBytes.
func (h *Host) readModule(path string, start time.Time) (wasm []byte, sum [sha256.Size]byte, size int, err error) {
	if info, err := os.Lstat(path); err == nil && info.Mode().IsRegular() && info.Size() <= MaxModuleFileBytes {
		if id, ok := fileIDOf(info); ok {
			if sum, ok := h.digests.lookup(path, id); ok {
				return nil, sum, int(id.size), nil
			}
		}
	}
	wasm, info, err := regularfile.ReadStat(path, MaxModuleFileBytes)
	if err != nil {
		return nil, sum, 0, err
	}
	sum = sha256.Sum256(wasm)
	if id, ok := fileIDOf(info); ok && id.size == int64(len(wasm)) {
		if err := h.digests.record(path, id, sum, start); err != nil {
			// A cache that cannot be written costs the next start time, no more.
			h.logger.Warn("keeping the module's digest in the cache failed", "file", path, "error", err.Error())
		}
	}
	return wasm, sum, len(wasm), nil
}

// unread is a module file whose digest was known without reading it.
type unread struct {
	path string
	sum  [sha256.Size]byte
	size int
}

// read reads the file, when its bytes are needed after all (to be
// instrumented), and checks that they are still the ones the digest names:
// a file rewritten since its stat fails the load, and the watcher, seeing
// the new stat, loads the new version.
func (u *unread) read() ([]byte, error) {
	b, err := regularfile.Read(u.path, MaxModuleFileBytes)
	if err != nil {
		return nil, err
	}
	if sha256.Sum256(b) != u.sum {
		return nil, fmt.Errorf("%s changed while it loaded: its bytes no longer have the digest its stat gave", u.path)
	}
	return b, nil
}
