package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// manyGetter is implemented by stores that read many keys in one go
// (PostgreSQL: one query instead of one per key; bbolt: one read
// transaction and one cursor, in key order).
type manyGetter interface {
	// getMany returns copies of the values of keys (distinct, in byte
	// order): values[i] is keys[i]'s, nil where it is not stored. Past
	// maxBytes of keys and values it fails with ErrScanTooLarge, having
	// held at most that and one pair more.
	getMany(ctx context.Context, ns string, keys []string, maxBytes int64) ([][]byte, error)
}

// GetMany is Get of every key, in order: found[i] says whether keys[i] has
// a value, values[i] is it. Keys the call wrote are answered from its
// writes; the others are read from the store together, in one round trip
// where the store can, and remembered for the commit's conflict check as
// Get remembers them (MaxTxnBytes counting each, checked before reading).
// The pairs it answers, each key asked counting its key and value every
// time, may total at most maxBytes (the caller's bound on its answer), as
// may the distinct stored pairs it reads: past either, it fails with
// ErrScanTooLarge having held at most that and one pair more.
func (t *Txn) GetMany(ctx context.Context, keys []string, maxBytes int64) (values [][]byte, found []bool, err error) {
	// The keys to read are sorted, which puts repeats side by side (read
	// once) and lets bbolt walk its tree in order; slot maps each asked
	// position to its key's place in uniq (-1: answered from the writes).
	slot := make([]int32, len(keys))
	order := make([]int32, 0, len(keys))
	for i, k := range keys {
		if err := t.lim.checkKey("get", k); err != nil {
			return nil, nil, err
		}
		if err := t.settle(ctx, k); err != nil {
			return nil, nil, err
		}
		if _, ok := t.writes[k]; ok {
			slot[i] = -1
			continue
		}
		order = append(order, int32(i))
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(keys[a], keys[b]) })
	uniq := make([]string, 0, len(order))
	held := t.held
	for _, i := range order {
		k := keys[i]
		if n := len(uniq); n == 0 || uniq[n-1] != k {
			if _, seen := t.reads[k]; !seen {
				held += int64(len(k)) + readCost
				if err := t.hold("get", k, held, false); err != nil {
					return nil, nil, err
				}
			}
			uniq = append(uniq, k)
		}
		slot[i] = int32(len(uniq) - 1)
	}
	stored, err := t.readMany(ctx, uniq, maxBytes)
	if err != nil {
		return nil, nil, err
	}
	if t.reads == nil {
		t.reads = make(map[string]Read, len(uniq))
	}
	for j, k := range uniq {
		if _, seen := t.reads[k]; !seen {
			k = t.keep(k)
			t.reads[k] = ReadOf(k, stored[j])
			t.held += int64(len(k)) + readCost
		}
	}
	values, found = make([][]byte, len(keys)), make([]bool, len(keys))
	given := make([]bool, len(uniq)) // stored[j] handed out already
	// The answer as a whole is bounded too, before anything is copied: one
	// key asked 10,000 times, or the call's own large writes, would
	// otherwise be copied that many times.
	var total int64
	pairs := 0
	for i, k := range keys {
		var v []byte
		j := slot[i]
		if j < 0 {
			if p := t.writes[k]; !p.del() {
				v = p.value
			}
		} else {
			v = stored[j]
		}
		if v == nil {
			continue
		}
		pairs++
		if total += size(k, v); total > maxBytes {
			return nil, nil, tooMany(pairs, total, maxBytes)
		}
		// A key asked twice gets its own copy each time; the caller may
		// keep the store's copy.
		if j < 0 || given[j] {
			v = append([]byte{}, v...)
		} else {
			given[j] = true
		}
		values[i], found[i] = v, true
	}
	return values, found, nil
}

// readMany reads keys (distinct, sorted) from the store: in one go if it
// can, else one Get (through the shared view) each.
func (t *Txn) readMany(ctx context.Context, keys []string, maxBytes int64) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if mg, ok := t.r.(manyGetter); ok {
		return mg.getMany(ctx, t.ns, keys, maxBytes)
	}
	out := make([][]byte, len(keys))
	var total int64
	pairs := 0
	for j, k := range keys {
		v, found, err := t.read(ctx, k)
		if err != nil {
			return nil, err
		}
		if found {
			pairs++
			if total += size(k, v); total > maxBytes {
				return nil, tooMany(pairs, total, maxBytes)
			}
			out[j] = v
		}
	}
	return out, nil
}

// tooMany is GetMany's error past its bound.
func tooMany(pairs int, total, maxBytes int64) error {
	return fmt.Errorf("get many: %d stored pairs total %d bytes, limit store.max_scan_bytes is %d; ask for fewer keys: %w",
		pairs, total, maxBytes, ErrScanTooLarge)
}

func (s *pgStore) getMany(ctx context.Context, ns string, keys []string, maxBytes int64) ([][]byte, error) {
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
	got := make(map[string][]byte, len(keys))
	var key, value []byte
	var total int64
	_, err = pgx.ForEachRow(rows, []any{&key, &value, &total}, func() error {
		if total > maxBytes {
			return tooMany(len(got)+1, total, maxBytes)
		}
		got[string(key)] = append([]byte{}, value...) // non-nil: an empty value is still found
		return nil
	})
	if errors.Is(err, ErrScanTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get %d keys in %q: %w", len(keys), ns, err)
	}
	out := make([][]byte, len(keys))
	for j, k := range keys {
		out[j] = got[k]
	}
	return out, nil
}
