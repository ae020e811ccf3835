//go:build !unix

package store

import (
	"os"
	"time"
)

// flockWait does nothing where flock does not exist: bolt.Open takes its
// own lock (and times out with ErrInUse) right after the check.
func flockWait(*os.File, time.Duration) error { return nil }
