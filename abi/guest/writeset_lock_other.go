//go:build !wasip1

package guest

import "sync"

// writeLock guards the write set: natively, tests write from several
// goroutines at once, as the in-memory store's own lock allowed before.
type writeLock struct{ sync.Mutex }
