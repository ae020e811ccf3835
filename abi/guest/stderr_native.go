//go:build !wasip1

package guest

import "os"

// stderr is where panicLog writes by default.
var stderr = os.Stderr
