package store

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Limits bound what a namespace may hold. Zero (or negative) fields mean
// the default.
type Limits struct {
	MaxKeyBytes       int   // default 1 KiB
	MaxValueBytes     int   // default 1 MiB
	MaxNamespaceBytes int64 // sum of len(key)+len(value) over a namespace; default 256 MiB
	// MaxTxnBytes bounds what one call's Txn holds in memory: len(key)+
	// len(value)+64 of every buffered write (a delete counts its key and
	// the 64), plus len(key)+32 for every stored key it read; default 8 MiB.
	MaxTxnBytes int64
	// MaxScanBytes bounds the len(key)+len(value) of the pairs one Scan
	// returns; a scan over it fails with ErrScanTooLarge. Default 8 MiB.
	MaxScanBytes int64
}

const (
	defaultMaxKeyBytes       = 1 << 10
	defaultMaxValueBytes     = 1 << 20
	defaultMaxNamespaceBytes = 256 << 20
	defaultMaxTxnBytes       = 8 << 20
	defaultMaxScanBytes      = 8 << 20

	// readCost is what remembering one read costs a Txn besides its key:
	// the digest of the value it saw.
	readCost = 32

	// writeCost is what buffering one write costs a Txn besides its key
	// and value: its map entry, the slice header and the allocations'
	// rounding (measured: 57 bytes of heap per put of an 8-byte key and
	// an empty value). Without it, a call could buffer millions of empty
	// writes of short keys, hundreds of megabytes, within max_txn_bytes.
	writeCost = 64

	// maxNamespaceBytes bounds a namespace name (a plugin name): it is a
	// bolt bucket name and part of PostgreSQL's primary-key index entry,
	// both of which have size limits of their own.
	maxNamespaceBytes = 255
)

// DefaultLimits returns the limits zero fields stand for. It is the one
// place they are written: host reports them to rpchost's configuration.
func DefaultLimits() Limits {
	return Limits{MaxKeyBytes: defaultMaxKeyBytes, MaxValueBytes: defaultMaxValueBytes, MaxNamespaceBytes: defaultMaxNamespaceBytes,
		MaxTxnBytes: defaultMaxTxnBytes, MaxScanBytes: defaultMaxScanBytes}
}

// withDefaults fills zero and meaningless negative fields.
func (l Limits) withDefaults() Limits {
	if l.MaxKeyBytes <= 0 {
		l.MaxKeyBytes = defaultMaxKeyBytes
	}
	if l.MaxValueBytes <= 0 {
		l.MaxValueBytes = defaultMaxValueBytes
	}
	if l.MaxNamespaceBytes <= 0 {
		l.MaxNamespaceBytes = defaultMaxNamespaceBytes
	}
	if l.MaxTxnBytes <= 0 {
		l.MaxTxnBytes = defaultMaxTxnBytes
	}
	if l.MaxScanBytes <= 0 {
		l.MaxScanBytes = defaultMaxScanBytes
	}
	return l
}

// Validate reports limits that cannot work together, in the terms of the
// configuration keys: a call must be able to hold, and a scan to return,
// one pair of the largest size allowed. Zero fields take their defaults
// first.
func (l Limits) Validate() error {
	l = l.withDefaults()
	pair := int64(l.MaxKeyBytes) + int64(l.MaxValueBytes)
	var errs []error
	if l.MaxTxnBytes < pair+writeCost {
		errs = append(errs, fmt.Errorf("store.max_txn_bytes %d is less than one write of store.max_key_bytes + store.max_value_bytes + %d (%d)", l.MaxTxnBytes, writeCost, pair+writeCost))
	}
	if l.MaxScanBytes < pair {
		errs = append(errs, fmt.Errorf("store.max_scan_bytes %d is less than one pair of store.max_key_bytes + store.max_value_bytes (%d)", l.MaxScanBytes, pair))
	}
	return errors.Join(errs...)
}

// checkScan is called as a scan adds pairs: total is what it holds so far.
func (l Limits) checkScan(prefix string, pairs int, total int64) error {
	if total > l.MaxScanBytes {
		return fmt.Errorf("scan %s: the first %d pairs total %d bytes, limit MaxScanBytes (store.max_scan_bytes) is %d; ask for fewer pairs or a longer prefix: %w",
			quote(prefix), pairs, total, l.MaxScanBytes, ErrScanTooLarge)
	}
	return nil
}

// checkKey enforces what every key must be, before anything is read or
// buffered, so a guest learns at the put itself.
func (l Limits) checkKey(op, key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%s: empty key: %w", op, ErrInvalidKey)
	case !utf8.ValidString(key):
		return fmt.Errorf("%s %s: not valid UTF-8: %w", op, quote(key), ErrInvalidKey)
	case len(key) > l.MaxKeyBytes:
		return fmt.Errorf("%s %s: key is %d bytes, limit MaxKeyBytes is %d: %w", op, quote(key), len(key), l.MaxKeyBytes, ErrKeyTooLarge)
	}
	return nil
}

// checkPrefix is checkKey for a scan's prefix, which may be empty. A prefix
// longer than any key could be matches nothing, but is refused all the same
// so that the mistake shows.
func (l Limits) checkPrefix(op, prefix string) error {
	switch {
	case !utf8.ValidString(prefix):
		return fmt.Errorf("%s prefix %s: not valid UTF-8: %w", op, quote(prefix), ErrInvalidKey)
	case len(prefix) > l.MaxKeyBytes:
		return fmt.Errorf("%s prefix %s: prefix is %d bytes, limit MaxKeyBytes is %d: %w", op, quote(prefix), len(prefix), l.MaxKeyBytes, ErrKeyTooLarge)
	}
	return nil
}

// checkWrite checks one element of a batch.
func (l Limits) checkWrite(w Write) error {
	if w.Delete {
		return l.checkKey("delete", w.Key)
	}
	if w.Add {
		return l.checkKey("add", w.Key)
	}
	if err := l.checkKey("put", w.Key); err != nil {
		return err
	}
	if len(w.Value) > l.MaxValueBytes {
		return fmt.Errorf("put %s: value is %d bytes, limit MaxValueBytes is %d: %w", quote(w.Key), len(w.Value), l.MaxValueBytes, ErrValueTooLarge)
	}
	return nil
}

// checkQuota says whether a namespace may go from before to after bytes.
// A batch that does not grow the namespace is always allowed, so that a
// namespace left over a lowered limit can still delete its way back under.
func (l Limits) checkQuota(ns string, before, after int64) error {
	if after > l.MaxNamespaceBytes && after > before {
		return fmt.Errorf("namespace %q: writes would take it from %d to %d bytes, limit MaxNamespaceBytes is %d: %w", ns, before, after, l.MaxNamespaceBytes, ErrQuotaExceeded)
	}
	return nil
}

// checkNamespace guards against the host's own mistakes: a namespace is a
// plugin name and never comes from a guest. NUL is refused because a
// PostgreSQL text value cannot hold it.
func checkNamespace(ns string) error {
	switch {
	case ns == "":
		return fmt.Errorf("empty namespace: %w", ErrInvalidKey)
	case !utf8.ValidString(ns):
		return fmt.Errorf("namespace %s: not valid UTF-8: %w", quote(ns), ErrInvalidKey)
	case len(ns) > maxNamespaceBytes:
		return fmt.Errorf("namespace %s: %d bytes, at most %d: %w", quote(ns), len(ns), maxNamespaceBytes, ErrInvalidKey)
	}
	for i := 0; i < len(ns); i++ {
		if ns[i] == 0 {
			return fmt.Errorf("namespace %s: contains NUL: %w", quote(ns), ErrInvalidKey)
		}
	}
	return nil
}

// checkBatch validates a whole batch before any of it is written.
func (l Limits) checkBatch(ns string, batch []Write) error {
	if err := checkNamespace(ns); err != nil {
		return err
	}
	for _, w := range batch {
		if err := l.checkWrite(w); err != nil {
			return err
		}
	}
	return nil
}

// quote shows a key in an error without letting a 1 KiB guest-chosen key
// flood the log line.
func quote(s string) string {
	const max = 64
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:max], len(s))
}

// size is what one pair costs against the quota.
func size(key string, value []byte) int64 { return int64(len(key)) + int64(len(value)) }

// nonNil turns a nil value into an empty one: both backends would read a
// nil back as "no value" (bolt) or store it as NULL (pgx).
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// check reports ErrConflict unless current (nil: absent) is what r saw.
func (r Read) check(current []byte) error {
	if (current != nil) != r.Found || r.Found && sha256.Sum256(current) != r.Sum {
		return fmt.Errorf("key %s changed since this call read it: %w", quote(r.Key), ErrConflict)
	}
	return nil
}
