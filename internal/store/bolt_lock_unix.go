//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// flockWait takes an exclusive flock on f, the lock bolt itself takes,
// retrying until wait has passed; it fails with ErrInUse then.
func flockWait(f *os.File, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			return ErrInUse
		}
		time.Sleep(50 * time.Millisecond)
	}
}
