// Package regularfile reads files that other people may have put in a
// directory rpchost reads (the plugin directory, its version log), where a
// FIFO would block a read forever and a huge or endless file (a symlink to
// /dev/zero) would take all memory.
package regularfile

import (
	"errors"
	"fmt"
	"io"
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
	f, err := openNonblocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, st.Mode().Type())
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s: %w: %d bytes, the limit is %d", path, ErrTooLarge, st.Size(), max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1)) // it may grow while read
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", path, ErrTooLarge, max)
	}
	return b, nil
}
