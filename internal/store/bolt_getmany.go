package store

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// getMany reads keys (distinct, sorted) in one read transaction with one
// cursor: bolt's Bucket.Get makes a new cursor, and so a new search stack,
// per key (two allocations each), and one View per key, as Txn.read would
// do outside the shared view, costs more than the lookup. In key order,
// consecutive seeks touch the same pages. The values are copied into one
// buffer, which the caller may keep.
func (s *boltStore) getMany(ctx context.Context, ns string, keys []string, maxBytes int64) ([][]byte, error) {
	if err := s.check(ctx, ns); err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(kvBucket).Bucket(bytesOf(ns))
		if b == nil {
			return nil
		}
		// First the values in place (valid until the transaction ends),
		// checking the bound before anything is copied...
		c := b.Cursor()
		var total int64
		pairs := 0
		for j, key := range keys {
			v := seekValue(c, key)
			if v == nil {
				continue
			}
			pairs++
			if total += size(key, v); total > maxBytes {
				return tooMany(pairs, total, maxBytes)
			}
			out[j] = v
		}
		// ...then copied into one buffer, each slice capped so that an
		// append by the caller cannot run into the next value. An empty
		// value stays non-nil: it is still found.
		n := 0
		for _, v := range out {
			n += len(v)
		}
		buf := make([]byte, 0, n)
		for j, v := range out {
			if v != nil {
				from := len(buf)
				buf = append(buf, v...)
				out[j] = buf[from:len(buf):len(buf)]
			}
		}
		return nil
	})
	if errors.Is(err, ErrScanTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("bbolt: get %d keys in %q: %w", len(keys), ns, err)
	}
	return out, nil
}

// bytesOf is s as a []byte without a copy, for bolt calls that only read
// their key argument during the call (Get, Seek, Bucket, Delete) or copy it
// (Put clones its key): the bytes must never be written to.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
