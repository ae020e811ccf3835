//go:build wasip1

package guest

import "syscall"

// stderr is where panicLog writes by default: file descriptor 2, written
// through syscall rather than os.Stderr. Importing os costs a plugin
// 0.4 MB of wasm (its package initialization cannot be linked away), and
// syscall is linked anyway.
var stderr fdWriter = 2

// fdWriter is an io.Writer on a WASI file descriptor.
type fdWriter int

func (fd fdWriter) Write(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		n, err := syscall.Write(int(fd), b[written:])
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}
