// Package regularfile reads files that other people may have put in a
// directory rpchost reads (the plugin directory, its version log), where a
// FIFO would block a read forever and a huge or endless file (a symlink to
// /dev/zero) would take all memory.
package regularfile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

var (
	// ErrNotRegular: the path is a FIFO, a device, a directory or a
	// socket, not a regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: the file holds more than the bytes allowed.
	ErrTooLarge = errors.New("file too large")
)

// Read returns the contents of the regular file at path, at most max bytes.
// It opens without blocking (a FIFO would otherwise wait for a writer)
// and checks the opened file itself, so a file swapped for a FIFO between
// a directory listing and the read cannot block it either.
func Read(path string, max int64) ([]byte, error) {
	b, _, err := ReadStat(path, max)
	return b, err
}

// ReadStat is Read, also returning what the opened file's stat said
// before it was read: a change made while it was read shows in a later
// stat as a newer change time.
func ReadStat(path string, max int64) ([]byte, os.FileInfo, error) {
	f, err := openNonblocking(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, st.Mode().Type())
	}
	if st.Size() > max {
		return nil, nil, fmt.Errorf("%s: %w: %d bytes, the limit is %d", path, ErrTooLarge, st.Size(), max)
	}
	b, err := readAll(io.LimitReader(f, max+1), st.Size()) // it may grow while read
	if err != nil {
		return nil, nil, err
	}
	if int64(len(b)) > max {
		return nil, nil, fmt.Errorf("%s: %w: more than %d bytes", path, ErrTooLarge, max)
	}
	return b, st, nil
}

// readAll is io.ReadAll with a buffer sized for the file at once. Growing
// from io.ReadAll's 512 bytes, a 2.5 MB module was copied and zeroed a
// dozen times over: with 200 copies of a Go plugin loading, 45% of the
// loader's CPU time was that growth and the garbage it left (host,
// BenchmarkNewCopies). One byte more than size lets the read that meets
// the end of the file see it without growing the buffer; a file that grew
// since size was taken is read on, growing as io.ReadAll would.
func readAll(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, 0, size+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
