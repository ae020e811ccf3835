package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// boltFile is the name of the database file in a bbolt store's directory.
const boltFile = "rpchost.db"

// Layout of the bolt file. Every namespace is its own bucket, nested under
// kvBucket, keyed by the namespace name; its keys are the plugin's keys as
// they are. Compared with one flat bucket of ns-prefixed keys this:
//   - isolates namespaces by construction: no key, whatever its bytes, can
//     land in another namespace's bucket, with no separator to escape;
//   - makes a prefix scan a plain cursor walk inside one B+tree, with no
//     namespace bytes repeated in every key of every page;
//   - lets an emptied namespace be dropped with one DeleteBucket.
//
// Small buckets are stored inline in their parent's page, so a namespace
// with a few keys costs no page of its own.
//
// usageBucket maps a namespace to its Usage (16 bytes: keys, then bytes, as
// big-endian uint64), updated in the same bolt transaction as the writes, so
// the quota check is exact and O(1) instead of a walk over the namespace.
// metaBucket records the layout's version, for later migrations.
var (
	kvBucket    = []byte("kv")
	usageBucket = []byte("usage")
	metaBucket  = []byte("meta")
	formatKey   = []byte("format")
	formatV1    = []byte("1")
)

// maxBoltKeyBytes is bolt's own key limit (bolt.MaxKeySize).
const maxBoltKeyBytes = 32768

type boltStore struct {
	db   *bolt.DB
	lim  Limits
	path string
	// commits runs ApplyIf's transactions, several calls' at once
	// under load (bolt_group.go).
	commits groupCommit

	closeOnce sync.Once
	closeErr  error
}

func (s *boltStore) Get(ctx context.Context, ns, key string) ([]byte, bool, error) {
	if err := s.check(ctx, ns); err != nil {
		return nil, false, err
	}
	if err := s.lim.checkKey("get", key); err != nil {
		return nil, false, err
	}
	var value []byte
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(kvBucket).Bucket([]byte(ns))
		if b == nil {
			return nil
		}
		// bolt's slices live only as long as the transaction: copy, into
		// a non-nil slice so that an empty value is still "found".
		if v := b.Get([]byte(key)); v != nil {
			value, found = append([]byte{}, v...), true
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("bbolt: get %s in %q: %w", quote(key), ns, err)
	}
	return value, found, nil
}

func (s *boltStore) Scan(ctx context.Context, ns, prefix, after string, limit int) ([]KV, error) {
	if err := s.check(ctx, ns); err != nil {
		return nil, err
	}
	if err := s.lim.checkPrefix("scan", prefix); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	var out []KV
	var total int64
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(kvBucket).Bucket([]byte(ns))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		seek := prefix
		if after > seek {
			seek = after
		}
		for k, v := c.Seek([]byte(seek)); k != nil && len(out) < limit; k, v = c.Next() {
			key := string(k)
			if !strings.HasPrefix(key, prefix) {
				break // keys are sorted: past the prefix, nothing more matches
			}
			if key == after {
				continue
			}
			// Counted before the copy: a page over the limit is never held.
			total += size(key, v)
			if err := s.lim.checkScan(prefix, len(out)+1, total); err != nil {
				return err
			}
			out = append(out, KV{Key: key, Value: append([]byte{}, v...)})
		}
		return nil
	})
	if errors.Is(err, ErrScanTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("bbolt: scan %s in %q: %w", quote(prefix), ns, err)
	}
	return out, nil
}

// Apply runs the batch in one bolt read-write transaction, which bolt
// serialises with every other writer and fsyncs on commit. The usage record
// is read, adjusted write by write and checked in that same transaction;
// returning the quota error rolls back everything the batch had done.
func (s *boltStore) Apply(ctx context.Context, ns string, batch []Write) error {
	return s.ApplyIf(ctx, ns, nil, batch)
}

// seekValue is key's value (nil: absent) found with c, which is left on it.
// A nil value at the key would be a nested bucket, which a namespace never
// holds: absent too, as Bucket.Get has it.
func seekValue(c *bolt.Cursor, key string) []byte {
	k, v := c.Seek(bytesOf(key))
	if v == nil || !bytes.Equal(k, bytesOf(key)) {
		return nil
	}
	return v
}

// ApplyIf checks reads inside the same read-write transaction as the
// writes; bolt has one writer at a time, so nothing can change in between.
func (s *boltStore) ApplyIf(ctx context.Context, ns string, reads []Read, batch []Write) error {
	if err := s.check(ctx, ns); err != nil {
		return err
	}
	if err := s.lim.checkBatch(ns, batch); err != nil {
		return err
	}
	if len(batch) == 0 {
		return nil
	}
	err := s.commits.update(func(tx *bolt.Tx) error {
		usage := tx.Bucket(usageBucket)
		before := decodeUsage(usage.Get(bytesOf(ns)))
		u := before
		b, err := tx.Bucket(kvBucket).CreateBucketIfNotExists(bytesOf(ns))
		if err != nil {
			return err
		}
		// One cursor serves every lookup: Bucket.Get makes a new cursor
		// (and search stack) per key. Seek re-walks from the root each
		// time, so it sees the batch's own writes so far.
		c := b.Cursor()
		for _, r := range reads {
			if err := r.check(seekValue(c, r.Key)); err != nil {
				return err
			}
		}
		for _, w := range batch {
			old := seekValue(c, w.Key)
			if w, err = w.settled(old, old != nil); err != nil {
				return err
			}
			if old != nil && !w.Delete && bytes.Equal(old, w.Value) {
				// Already stored: a Put would only dirty the page, to be
				// written and fsynced again, for the same bytes. (Records
				// replaced by the same reading, and their unchanged index
				// entries, are the common case.)
				continue
			}
			if old != nil {
				u.Keys--
				u.Bytes -= size(w.Key, old)
				if w.Delete {
					// The cursor is on the key: no second search.
					if err := c.Delete(); err != nil {
						return err
					}
					continue
				}
			}
			if w.Delete {
				continue // deleting a missing key does nothing
			}
			// w.Value stays valid for the transaction, as bolt requires:
			// Apply returns only after the commit. A nil value would read
			// back as "not found", so it is stored as an empty one. Put
			// copies the key.
			if err := b.Put(bytesOf(w.Key), nonNil(w.Value)); err != nil {
				return err
			}
			u.Keys++
			u.Bytes += size(w.Key, w.Value)
		}
		if err := s.lim.checkQuota(ns, before.Bytes, u.Bytes); err != nil {
			return err
		}
		if u.Keys == 0 {
			// Empty: drop the namespace's bucket and record rather than
			// keep a husk for every plugin that ever wrote and cleaned up.
			if err := tx.Bucket(kvBucket).DeleteBucket(bytesOf(ns)); err != nil {
				return err
			}
			return usage.Delete(bytesOf(ns))
		}
		if u == before {
			return nil // the record holds this already
		}
		return usage.Put(bytesOf(ns), encodeUsage(u))
	})
	if errors.Is(err, ErrQuotaExceeded) || errors.Is(err, ErrConflict) || errors.Is(err, ErrNotInteger) {
		return err // already says which namespace and why
	}
	if err != nil {
		return fmt.Errorf("bbolt: apply %d writes to %q: %w", len(batch), ns, err)
	}
	return nil
}

func (s *boltStore) Usage(ctx context.Context, ns string) (Usage, error) {
	if err := s.check(ctx, ns); err != nil {
		return Usage{}, err
	}
	var u Usage
	err := s.db.View(func(tx *bolt.Tx) error {
		u = decodeUsage(tx.Bucket(usageBucket).Get([]byte(ns)))
		return nil
	})
	if err != nil {
		return Usage{}, fmt.Errorf("bbolt: usage of %q: %w", ns, err)
	}
	return u, nil
}

// Close closes the file, releasing its lock; later calls return the first
// call's result.
func (s *boltStore) Close() error {
	s.closeOnce.Do(func() {
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("bbolt: close %s: %w", s.path, err)
		}
	})
	return s.closeErr
}

// check is what every operation checks first. Bolt does not take a
// context; a cancelled call at least does not start work.
func (s *boltStore) check(ctx context.Context, ns string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return checkNamespace(ns)
}

func encodeUsage(u Usage) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b[:8], uint64(u.Keys))
	binary.BigEndian.PutUint64(b[8:], uint64(u.Bytes))
	return b
}

// decodeUsage reads a usage record; a missing one is an empty namespace.
func decodeUsage(b []byte) Usage {
	if len(b) != 16 {
		return Usage{}
	}
	return Usage{Keys: int64(binary.BigEndian.Uint64(b[:8])), Bytes: int64(binary.BigEndian.Uint64(b[8:]))}
}

// snapshot opens a bolt read transaction over ns. It is kept short by
// readView (maxSnapshotAge).
func (s *boltStore) snapshot(ctx context.Context, ns string) (snapshot, error) {
	if err := s.check(ctx, ns); err != nil {
		return nil, err
	}
	tx, err := s.db.Begin(false)
	if err != nil {
		return nil, fmt.Errorf("bbolt: begin a read of %q: %w", ns, err)
	}
	return &boltSnapshot{tx: tx, b: tx.Bucket(kvBucket).Bucket([]byte(ns)), ns: ns}, nil
}

// boltSnapshot is a read transaction and the namespace's bucket in it (nil
// when the namespace holds nothing).
type boltSnapshot struct {
	tx *bolt.Tx
	b  *bolt.Bucket
	ns string
}

func (sn *boltSnapshot) get(key string) ([]byte, bool, error) {
	if sn.b == nil {
		return nil, false, nil
	}
	// bolt's slices live only as long as the transaction: copy, into a
	// non-nil slice so that an empty value is still "found".
	if v := sn.b.Get([]byte(key)); v != nil {
		return append([]byte{}, v...), true, nil
	}
	return nil, false, nil
}

func (sn *boltSnapshot) close() error {
	if err := sn.tx.Rollback(); err != nil {
		return fmt.Errorf("bbolt: end a read of %q: %w", sn.ns, err)
	}
	return nil
}
