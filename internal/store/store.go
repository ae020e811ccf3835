// Package store is the durable key-value storage behind the kv host
// capabilities: one namespace per plugin, batches applied atomically and
// durably, and per-namespace quotas kept exact.
//
// Two backends keep the same semantics: "bbolt" (an embedded file, the
// default for one server) and "postgres" (for several replicas sharing one
// database). A procedure's writes go through a Txn, which buffers them for the
// length of one call and hands them to Store.Apply in one batch only when the
// call succeeds; a fault, a trap or a timeout calls Discard instead.
package store

import (
	"context"
	"crypto/sha256"
	"errors"
)

// Store is durable storage shared by every plugin; ns (the plugin name) is
// always supplied by the host, never by a guest, so a plugin cannot name
// another plugin's keys. Implementations are safe for concurrent use.
type Store interface {
	// Get returns a copy of the value of key, which the caller may keep.
	Get(ctx context.Context, ns, key string) (value []byte, found bool, err error)
	// Scan returns up to limit pairs whose keys start with prefix, in byte
	// order of key, starting after the key `after` ("" = from the start).
	// A limit of zero or less returns nothing. Pairs totalling more than
	// Limits.MaxScanBytes fail with ErrScanTooLarge, having held at most
	// that and one pair more in memory.
	Scan(ctx context.Context, ns, prefix, after string, limit int) ([]KV, error)
	// Apply writes a batch atomically (all or nothing) and durably (on disk
	// when it returns), enforcing the namespace quota. Writes to one key
	// within a batch take effect in order, so the last one wins.
	Apply(ctx context.Context, ns string, batch []Write) error
	// ApplyIf is Apply with preconditions: it writes the batch only if
	// every key of reads still holds what the Read says (in the same
	// transaction as the writes), and fails with ErrConflict otherwise.
	ApplyIf(ctx context.Context, ns string, reads []Read, batch []Write) error
	// Usage is what ns holds now, as the quota counts it.
	Usage(ctx context.Context, ns string) (Usage, error)
	// Close releases everything; it is safe to call twice.
	Close() error
}

// Unwrapper is a Store that wraps another, to observe or adjust its
// writes (host/ counts commits this way). A Txn reads through the innermost
// store (Unwrap, repeatedly) and writes through the outermost: reads keep
// the backend's own fast paths, which a wrapper's method set would hide (one
// shared read view per call on bbolt, one query per GetMany on PostgreSQL),
// and every commit still passes the wrapper. A wrapper must therefore not
// change what reads return.
type Unwrapper interface {
	Unwrap() Store
}

// innermost is s with every wrapper taken off.
func innermost(s Store) Store {
	for {
		u, ok := s.(Unwrapper)
		if !ok {
			return s
		}
		s = u.Unwrap()
	}
}

// KV is one stored pair.
type KV struct {
	Key   string
	Value []byte
}

// Write is one element of a batch: a put of Value, a delete of Key when
// Delete is set, or an addition of Delta to the decimal integer stored at
// Key when Add is set (add.go; Value is then ignored).
type Write struct {
	Key    string
	Value  []byte
	Delete bool
	Add    bool
	Delta  int64
}

// Read is what a call saw of a key: the SHA-256 of its value, or that it
// was absent. A digest rather than the value, so that remembering a read
// costs a call 32 bytes whatever the value's size.
type Read struct {
	Key   string
	Sum   [32]byte
	Found bool
}

// ReadOf is the Read of a key whose value was value (nil: absent).
func ReadOf(key string, value []byte) Read {
	if value == nil {
		return Read{Key: key}
	}
	return Read{Key: key, Sum: sha256.Sum256(value), Found: true}
}

// Usage counts a namespace the way its quota does: Bytes is the sum of
// len(key)+len(value) over its keys.
type Usage struct {
	Keys, Bytes int64
}

// Errors a caller can tell apart with errors.Is; the returned errors wrap
// them with the key, the sizes and the limit's name.
var (
	// ErrInvalidKey: a key is empty or not valid UTF-8 (or, for the host's
	// own mistake, a namespace is).
	ErrInvalidKey = errors.New("invalid key")
	// ErrKeyTooLarge: a key is longer than Limits.MaxKeyBytes.
	ErrKeyTooLarge = errors.New("key too large")
	// ErrValueTooLarge: a value is longer than Limits.MaxValueBytes.
	ErrValueTooLarge = errors.New("value too large")
	// ErrQuotaExceeded: the writes would take the namespace past
	// Limits.MaxNamespaceBytes; nothing of the batch was written.
	ErrQuotaExceeded = errors.New("namespace quota exceeded")
	// ErrConflict: a key the call read was changed by another call before
	// this one committed; nothing of the batch was written. Running the
	// call again sees the new value.
	ErrConflict = errors.New("conflicting write")
	// ErrTxnTooLarge: a call's write set would be over Limits.MaxTxnBytes;
	// the put is refused, and the call's writes can no longer commit.
	ErrTxnTooLarge = errors.New("call's write set too large")
	// ErrScanTooLarge: the pairs a scan would return total more than
	// Limits.MaxScanBytes; nothing is returned.
	ErrScanTooLarge = errors.New("scan result too large")
	// ErrInUse: another process holds the store (bbolt: the file's lock).
	ErrInUse = errors.New("in use by another process")
	// ErrNotInteger: an Add to a key whose value is not a decimal int64,
	// or whose sum would overflow one; nothing of the batch was written.
	ErrNotInteger = errors.New("value is not a decimal integer")
	// ErrDamaged: the store's file is not one Open can read safely.
	ErrDamaged = errors.New("damaged or not a bbolt file")
)
