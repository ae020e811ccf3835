package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Schema. Keys are bytea, not text: bytea compares bytewise whatever the
// database's collation (so Scan's order is the same as bbolt's and Go's),
// and it holds any valid UTF-8, NUL included, which text cannot.
//
// rpchost_usage keeps each namespace's Usage, updated in the same
// transaction as the writes. Its row is also the namespace's write lock:
// Apply locks it first, so concurrent Applies to one namespace — from this
// process or from other replicas — run one after the other and see each
// other's results, and the quota stays exact without scanning rows.
const pgSchema = `
CREATE TABLE IF NOT EXISTS rpchost_kv (
	ns    text  NOT NULL,
	key   bytea NOT NULL,
	value bytea NOT NULL,
	PRIMARY KEY (ns, key)
);
CREATE TABLE IF NOT EXISTS rpchost_usage (
	ns    text   PRIMARY KEY,
	keys  bigint NOT NULL,
	bytes bigint NOT NULL
);`

// pgSchemaLock serialises schema creation between replicas starting at
// once: two concurrent CREATE TABLE IF NOT EXISTS can otherwise both try to
// create the table and one fails on a catalog unique index.
const pgSchemaLock = 0x7270636873746b76 // "rpchstkv"

// maxPGKeyBytes keeps (ns, key) well inside PostgreSQL's B-tree entry
// limit (about 2,700 bytes with the default 8 KiB page).
const maxPGKeyBytes = 2048

type pgStore struct {
	pool *pgxpool.Pool
	lim  Limits

	closeOnce sync.Once
}

// openPostgres connects a pool to dsn (pgx's DSN or URL; pool_max_conns
// and the like are read from it), creates the schema if missing, and makes
// sure COMMIT waits for the WAL to be flushed.
func openPostgres(ctx context.Context, dsn string, lim Limits) (*pgStore, error) {
	if lim.MaxKeyBytes > maxPGKeyBytes {
		return nil, fmt.Errorf("postgres: MaxKeyBytes %d is over %d, the most a primary-key entry can hold", lim.MaxKeyBytes, maxPGKeyBytes)
	}
	// The DSN is never repeated in errors: it may hold a password.
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DSN: %w", err)
	}
	cfg.AfterConnect = requireSyncCommit
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(pgSchemaLock)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, pgSchema)
		return err
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect and create schema on %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &pgStore{pool: pool, lim: lim}, nil
}

// requireSyncCommit turns synchronous_commit back on for our sessions if
// the server or role has it off: with it off, COMMIT returns before the WAL
// is on disk, and a committed call's writes could be lost in a crash. Any
// stronger setting (remote_write, remote_apply) is left alone.
func requireSyncCommit(ctx context.Context, c *pgx.Conn) error {
	var mode string
	if err := c.QueryRow(ctx, "SHOW synchronous_commit").Scan(&mode); err != nil {
		return fmt.Errorf("read synchronous_commit: %w", err)
	}
	if mode != "off" {
		return nil
	}
	if _, err := c.Exec(ctx, "SET synchronous_commit = on"); err != nil {
		return fmt.Errorf("set synchronous_commit: %w", err)
	}
	return nil
}

func (s *pgStore) Get(ctx context.Context, ns, key string) ([]byte, bool, error) {
	if err := checkNamespace(ns); err != nil {
		return nil, false, err
	}
	if err := s.lim.checkKey("get", key); err != nil {
		return nil, false, err
	}
	var value []byte
	err := s.pool.QueryRow(ctx, "SELECT value FROM rpchost_kv WHERE ns = $1 AND key = $2", ns, []byte(key)).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: get %s in %q: %w", quote(key), ns, err)
	}
	if value == nil {
		value = []byte{} // an empty bytea is still a found value
	}
	return value, true, nil
}

func (s *pgStore) Scan(ctx context.Context, ns, prefix, after string, limit int) ([]KV, error) {
	if err := checkNamespace(ns); err != nil {
		return nil, err
	}
	if err := s.lim.checkPrefix("scan", prefix); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	// A prefix is the key range [prefix, prefixEnd): a range the primary
	// key index answers directly, in its (bytewise) order. The running
	// total of the pairs' sizes (octet_length reads a stored value's
	// length without fetching it) lets the server stop sending at the
	// first pair past MaxScanBytes, so no more than that and one pair
	// crosses the network or is held here.
	rng := "key >= $2 AND key > $3"
	args := []any{ns, []byte(prefix), nonNil([]byte(after)), int64(limit), s.lim.MaxScanBytes}
	if end := prefixEnd([]byte(prefix)); end != nil {
		rng += " AND key < $6"
		args = append(args, end)
	}
	q := `SELECT key, value, total FROM (
		SELECT key, value, sum(octet_length(key) + octet_length(value)) OVER (ORDER BY key) AS total
		FROM rpchost_kv WHERE ns = $1 AND ` + rng + ` ORDER BY key LIMIT $4
	) AS page WHERE total - octet_length(key) - octet_length(value) <= $5 ORDER BY key`
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: scan %s in %q: %w", quote(prefix), ns, err)
	}
	var out []KV
	var key, value []byte
	var total int64
	_, err = pgx.ForEachRow(rows, []any{&key, &value, &total}, func() error {
		if err := s.lim.checkScan(prefix, len(out)+1, total); err != nil {
			return err
		}
		out = append(out, KV{Key: string(key), Value: append([]byte{}, value...)})
		return nil
	})
	if errors.Is(err, ErrScanTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: scan %s in %q: %w", quote(prefix), ns, err)
	}
	return out, nil
}

// Apply runs the batch in one READ COMMITTED transaction (set explicitly,
// so a server defaulting to SERIALIZABLE cannot turn concurrent Applies
// into serialisation failures):
//
//  1. lock the namespace's usage row (creating it if needed) and read it;
//  2. read the current sizes of the batch's keys — every writer of the
//     namespace holds that lock, so they cannot change under us;
//  3. compute the new usage and check the quota, before writing anything;
//  4. upsert the puts, delete the deletes, store the new usage (one
//     pipelined round trip);
//  5. COMMIT, which with synchronous_commit on returns once the WAL is
//     flushed to disk.
func (s *pgStore) Apply(ctx context.Context, ns string, batch []Write) error {
	return s.ApplyIf(ctx, ns, nil, batch)
}

// ApplyIf checks reads after taking the namespace's usage-row lock, which
// every writer of the namespace, on every replica, takes first: nothing can
// change the keys between the check and the COMMIT.
func (s *pgStore) ApplyIf(ctx context.Context, ns string, reads []Read, batch []Write) error {
	if err := s.lim.checkBatch(ns, batch); err != nil {
		return err
	}
	if len(batch) == 0 {
		return nil
	}
	// Writes to one key take effect in order: the last counts, and an Add
	// after a put or delete of the same key adds to what that left.
	final := make(map[string]Write, len(batch))
	for _, w := range batch {
		prev, ok := final[w.Key]
		switch {
		case !ok || !w.Add:
		case prev.Add:
			d, err := sumDeltas(w.Key, prev.Delta, w.Delta)
			if err != nil {
				return err
			}
			w.Delta = d
		default:
			var err error
			if w, err = w.settled(prev.Value, !prev.Delete); err != nil {
				return err
			}
		}
		final[w.Key] = w
	}
	keys := make([]string, 0, len(final))
	var addKeys [][]byte
	for k, w := range final {
		keys = append(keys, k)
		if w.Add {
			addKeys = append(addKeys, []byte(k))
		}
	}
	slices.Sort(keys)
	allKeys := make([][]byte, len(keys))
	for i, k := range keys {
		allKeys[i] = []byte(k)
	}

	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		var before Usage
		// ON CONFLICT DO UPDATE locks the existing row and RETURNING reads
		// it: lock and read in one statement.
		err := tx.QueryRow(ctx, `
			INSERT INTO rpchost_usage AS u (ns, keys, bytes) VALUES ($1, 0, 0)
			ON CONFLICT (ns) DO UPDATE SET ns = u.ns
			RETURNING u.keys, u.bytes`, ns).Scan(&before.Keys, &before.Bytes)
		if err != nil {
			return fmt.Errorf("lock usage: %w", err)
		}
		if err := s.checkReads(ctx, tx, ns, reads); err != nil {
			return err
		}
		// Adds are summed here, under the lock every writer of the
		// namespace takes: no other commit can change them meanwhile.
		settled, err := s.settleAdds(ctx, tx, ns, final, addKeys)
		if err != nil {
			return err
		}
		var putKeys, putValues, delKeys [][]byte
		for _, k := range keys {
			w := settled[k]
			if w.Delete {
				delKeys = append(delKeys, []byte(k))
			} else {
				putKeys = append(putKeys, []byte(k))
				putValues = append(putValues, nonNil(w.Value)) // NULL would break NOT NULL
			}
		}
		rows, err := tx.Query(ctx, "SELECT key, octet_length(value) FROM rpchost_kv WHERE ns = $1 AND key = ANY($2::bytea[])", ns, allKeys)
		if err != nil {
			return fmt.Errorf("read old sizes: %w", err)
		}
		u := before
		var key []byte
		var valueLen int64
		_, err = pgx.ForEachRow(rows, []any{&key, &valueLen}, func() error {
			u.Keys--
			u.Bytes -= int64(len(key)) + valueLen
			return nil
		})
		if err != nil {
			return fmt.Errorf("read old sizes: %w", err)
		}
		for i, k := range putKeys {
			u.Keys++
			u.Bytes += int64(len(k)) + int64(len(putValues[i]))
		}
		if err := s.lim.checkQuota(ns, before.Bytes, u.Bytes); err != nil {
			return err
		}

		var b pgx.Batch
		if len(putKeys) > 0 {
			b.Queue(`
				INSERT INTO rpchost_kv (ns, key, value)
				SELECT $1, k, v FROM unnest($2::bytea[], $3::bytea[]) AS t(k, v)
				ON CONFLICT (ns, key) DO UPDATE SET value = EXCLUDED.value`, ns, putKeys, putValues)
		}
		if len(delKeys) > 0 {
			b.Queue("DELETE FROM rpchost_kv WHERE ns = $1 AND key = ANY($2::bytea[])", ns, delKeys)
		}
		b.Queue("UPDATE rpchost_usage SET keys = $2, bytes = $3 WHERE ns = $1", ns, u.Keys, u.Bytes)
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return nil
	})
	if errors.Is(err, ErrQuotaExceeded) || errors.Is(err, ErrConflict) || errors.Is(err, ErrNotInteger) {
		return err // already says which namespace and why
	}
	if err != nil {
		return fmt.Errorf("postgres: apply %d writes to %q: %w", len(batch), ns, err)
	}
	return nil
}

// settleAdds returns final with every Add turned into the put or delete
// it comes to over the stored values of addKeys (final itself is left as
// it is).
func (s *pgStore) settleAdds(ctx context.Context, tx pgx.Tx, ns string, final map[string]Write, addKeys [][]byte) (map[string]Write, error) {
	if len(addKeys) == 0 {
		return final, nil
	}
	stored, err := readValues(ctx, tx, ns, addKeys)
	if err != nil {
		return nil, fmt.Errorf("read counters: %w", err)
	}
	out := maps.Clone(final)
	for _, k := range addKeys {
		old, found := stored[string(k)]
		w, err := final[string(k)].settled(old, found)
		if err != nil {
			return nil, err
		}
		out[string(k)] = w
	}
	return out, nil
}

// readValues reads the stored values of keys in ns, inside tx.
func readValues(ctx context.Context, tx pgx.Tx, ns string, keys [][]byte) (map[string][]byte, error) {
	rows, err := tx.Query(ctx, "SELECT key, value FROM rpchost_kv WHERE ns = $1 AND key = ANY($2::bytea[])", ns, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	var key, value []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &value}, func() error {
		out[string(key)] = nonNil(value)
		return nil
	})
	return out, err
}

func (s *pgStore) checkReads(ctx context.Context, tx pgx.Tx, ns string, reads []Read) error {
	if len(reads) == 0 {
		return nil
	}
	keys := make([][]byte, len(reads))
	for i, r := range reads {
		keys[i] = []byte(r.Key)
	}
	now, err := readValues(ctx, tx, ns, keys)
	if err != nil {
		return fmt.Errorf("read back: %w", err)
	}
	for _, r := range reads {
		if err := r.check(now[r.Key]); err != nil {
			return err
		}
	}
	return nil
}

func (s *pgStore) Usage(ctx context.Context, ns string) (Usage, error) {
	if err := checkNamespace(ns); err != nil {
		return Usage{}, err
	}
	var u Usage
	err := s.pool.QueryRow(ctx, "SELECT keys, bytes FROM rpchost_usage WHERE ns = $1", ns).Scan(&u.Keys, &u.Bytes)
	if errors.Is(err, pgx.ErrNoRows) {
		return Usage{}, nil
	}
	if err != nil {
		return Usage{}, fmt.Errorf("postgres: usage of %q: %w", ns, err)
	}
	return u, nil
}

// Close closes the pool, waiting for connections in use to be released.
func (s *pgStore) Close() error {
	s.closeOnce.Do(s.pool.Close)
	return nil
}

// prefixEnd is the smallest byte string greater than every string starting
// with prefix, or nil when there is none (an empty or all-0xFF prefix).
func prefixEnd(prefix []byte) []byte {
	end := slices.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
