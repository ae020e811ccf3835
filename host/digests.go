package host

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rpchost/rpchost/internal/regularfile"
)

// digests remembers, in the compilation cache directory, the SHA-256 of
// each module file read, by what identifies that version of the file
// without reading it: device, inode, size, modification and change times.
// A start with 1,000 identical copies of a 2.5 MB Go plugin spent most of
// its CPU reading and hashing 2.5 GB (BenchmarkNewCopies); with the digest
// known, a copy of a module already compiled is not read at all, and the
// first copy only when its instrumented form is not in the cache either.
//
// Why the stat can stand for the bytes (git trusts its index the same
// way): any write to a file, or a rename over it, gives it a new change
// time (or inode), and the change time cannot be set back by a program
// short of changing the clock. An entry is only written for a file whose
// times were already racyWindow old when it was read, so that a write in
// the same clock tick as the read cannot go unseen. The directory already
// holds machine code that wazero runs unchecked: trusting it with digests
// adds no trust. A damaged or foreign entry fails its checksum or its
// identity and is ignored (the file is read and hashed, the entry rewritten).
type digests struct {
	dir string // "" when there is no compilation cache
}

// digestsFormat names the directory, and so the entries' format.
const digestsFormat = "rpchost-digests-v1"

// fileID identifies one version of a file (see fileIDOf).
type fileID struct {
	dev, ino           uint64
	size, mtime, ctime int64 // ns since 1970
}

// settled reports whether the file's times were racyWindow old at readAt.
func (id fileID) settled(readAt time.Time) bool {
	limit := readAt.Add(-racyWindow).UnixNano()
	return id.mtime < limit && id.ctime < limit
}

// digestEntrySize: the fileID's five fields, the module's SHA-256 and the
// SHA-256 of those two, which catches a damaged entry.
const digestEntrySize = 5*8 + 2*sha256.Size

func newDigests(cacheDir string) digests {
	if cacheDir == "" {
		return digests{}
	}
	return digests{dir: filepath.Join(cacheDir, digestsFormat)}
}

// entryPath is where the entry for the module file at path is kept: one
// small file per module file, named by the hash of its absolute path, so
// that loads running at once never write the same entry.
func (d digests) entryPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	k := sha256.Sum256([]byte(path))
	return filepath.Join(d.dir, hex.EncodeToString(k[:]))
}

func (id fileID) encode(sum [sha256.Size]byte) []byte {
	b := make([]byte, 0, digestEntrySize)
	for _, v := range []uint64{id.dev, id.ino, uint64(id.size), uint64(id.mtime), uint64(id.ctime)} {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	b = append(b, sum[:]...)
	check := sha256.Sum256(b)
	return append(b, check[:]...)
}

// lookup returns the digest recorded for the file at path if its version
// is still id.
func (d digests) lookup(path string, id fileID) (sum [sha256.Size]byte, ok bool) {
	if d.dir == "" {
		return sum, false
	}
	b, err := regularfile.Read(d.entryPath(path), digestEntrySize)
	if err != nil || len(b) != digestEntrySize {
		return sum, false
	}
	copy(sum[:], b[5*8:])
	if !bytes.Equal(id.encode(sum), b) { // another version, or a damaged entry
		return [sha256.Size]byte{}, false
	}
	return sum, true
}

// record remembers sum as the digest of the file at path in version id,
// the stat taken before its bytes were read at readAt; a version too
// recent to be told apart from the next one is not recorded.
func (d digests) record(path string, id fileID, sum [sha256.Size]byte, readAt time.Time) error {
	if d.dir == "" || !id.settled(readAt) {
		return nil
	}
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d.dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(id.encode(sum))
	if err := errors.Join(werr, tmp.Close()); err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", tmp.Name(), err), os.Remove(tmp.Name()))
	}
	if err := os.Rename(tmp.Name(), d.entryPath(path)); err != nil {
		return errors.Join(err, os.Remove(tmp.Name()))
	}
	return nil
}
