//go:build !unix

package host

import "time"

// cpuTime is not measured here: the tests log 0.
func cpuTime() time.Duration { return 0 }
