//go:build !unix

package regularfile

import "os"

// openNonblocking opens path for reading; systems without FIFOs in the
// file system have nothing to block on.
func openNonblocking(path string) (*os.File, error) {
	return os.Open(path)
}
