//go:build unix

package regularfile

import (
	"os"
	"syscall"
)

// openNonblocking opens path for reading with O_NONBLOCK, which makes
// opening a FIFO return at once; it changes nothing for a regular file.
func openNonblocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
