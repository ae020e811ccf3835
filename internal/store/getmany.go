package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// manyGetter is implemented by stores that read many keys in one round
// trip (PostgreSQL: one query instead of one per key).
type manyGetter interface {
	// getMany returns copies of the values of keys that are stored, or
	// ErrScanTooLarge once their keys and values total more than
	// maxBytes, having held at most that and one pair more.
	getMany(ctx context.Context, ns string, keys []string, maxBytes int64) (map[string][]byte, error)
}

// GetMany is Get of every key, in order: found[i] says whether keys[i] has
// a value, values[i] is it. Keys the call wrote are answered from its
// writes; the others are read from the store together, in one round trip
// where the store can, and remembered for the commit's conflict check as
// Get remembers them (MaxTxnBytes counting each, checked before reading).
// The stored pairs it reads may total at most maxBytes (the caller's
// bound on its answer): past it, it fails with ErrScanTooLarge having held
// at most that and one pair more.
func (t *Txn) GetMany(ctx context.Context, keys []string, maxBytes int64) (values [][]byte, found []bool, err error) {
	values, found = make([][]byte, len(keys)), make([]bool, len(keys))
	var ask []string
	asked := make(map[string]bool)
	held := t.held
	for _, k := range keys {
		if err := t.lim.checkKey("get", k); err != nil {
			return nil, nil, err
		}
		if _, ok := t.writes[k]; ok || asked[k] {
			continue
		}
		if _, seen := t.reads[k]; !seen {
			held += int64(len(k)) + readCost
			if err := t.hold("get", k, held, false); err != nil {
				return nil, nil, err
			}
		}
		asked[k] = true
		ask = append(ask, k)
	}
	stored, err := t.readMany(ctx, ask, maxBytes)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range ask {
		if _, seen := t.reads[k]; !seen {
			if t.reads == nil {
				t.reads = make(map[string]Read)
			}
			t.reads[k] = ReadOf(k, stored[k])
			t.held += int64(len(k)) + readCost
		}
	}
	for i, k := range keys {
		if p, ok := t.writes[k]; ok {
			if !p.del {
				values[i], found[i] = append([]byte{}, p.value...), true
			}
			continue
		}
		if v, ok := stored[k]; ok {
			// A key asked twice gets its own copy each time.
			values[i], found[i] = append([]byte{}, v...), true
		}
	}
	return values, found, nil
}

// readMany reads keys from the store: in one round trip if it can, else
// one Get (through the shared view) each.
func (t *Txn) readMany(ctx context.Context, keys []string, maxBytes int64) (map[string][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if mg, ok := t.r.(manyGetter); ok {
		return mg.getMany(ctx, t.ns, keys, maxBytes)
	}
	out := make(map[string][]byte, len(keys))
	var total int64
	for _, k := range keys {
		v, found, err := t.read(ctx, k)
		if err != nil {
			return nil, err
		}
		if found {
			if total += size(k, v); total > maxBytes {
				return nil, tooMany(len(out)+1, total, maxBytes)
			}
			out[k] = v
		}
	}
	return out, nil
}

// tooMany is GetMany's error past its bound.
func tooMany(pairs int, total, maxBytes int64) error {
	return fmt.Errorf("get many: %d stored pairs total %d bytes, limit store.max_scan_bytes is %d; ask for fewer keys: %w",
		pairs, total, maxBytes, ErrScanTooLarge)
}

func (s *pgStore) getMany(ctx context.Context, ns string, keys []string, maxBytes int64) (map[string][]byte, error) {
	if err := checkNamespace(ns); err != nil {
		return nil, err
	}
	bkeys := make([][]byte, len(keys))
	for i, k := range keys {
		bkeys[i] = []byte(k)
	}
	// As in Scan, a running total lets the server stop sending at the
	// first pair past maxBytes.
	rows, err := s.pool.Query(ctx, `SELECT key, value, total FROM (
		SELECT key, value, sum(octet_length(key) + octet_length(value)) OVER (ORDER BY key) AS total
		FROM rpchost_kv WHERE ns = $1 AND key = ANY($2)
	) AS got WHERE total - octet_length(key) - octet_length(value) <= $3`, ns, bkeys, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("postgres: get %d keys in %q: %w", len(keys), ns, err)
	}
	out := make(map[string][]byte, len(keys))
	var key, value []byte
	var total int64
	_, err = pgx.ForEachRow(rows, []any{&key, &value, &total}, func() error {
		if total > maxBytes {
			return tooMany(len(out)+1, total, maxBytes)
		}
		out[string(key)] = append([]byte{}, value...) // non-nil: an empty value is still found
		return nil
	})
	if errors.Is(err, ErrScanTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get %d keys in %q: %w", len(keys), ns, err)
	}
	return out, nil
}
