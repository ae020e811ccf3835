//go:build unix

package host

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the test process has used, user and system: what
// compiling costs, whatever else the machine is doing.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
