package deploy

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is the NOTIFY channel; a notification's payload is the name of
// the plugin whose log changed.
const Channel = "rpchost_deploy"

// SchemaVersion is the version of the schema below, kept in
// rpchost_deploy_meta so that a later release can tell which migration
// to run. A database with a newer version is refused.
const SchemaVersion = 1

// pgSchema: modules by digest (bytea, 32 bytes), one row per plugin name
// (its last version, and the row Record locks), the log, and the audit
// trail of every administration attempt.
const pgSchema = `
CREATE TABLE IF NOT EXISTS rpchost_deploy_meta (
	key   text   PRIMARY KEY,
	value bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS rpchost_deploy_modules (
	sha256 bytea  PRIMARY KEY,
	size   bigint NOT NULL,
	wasm   bytea  NOT NULL
);
CREATE TABLE IF NOT EXISTS rpchost_deploy_plugins (
	name    text   PRIMARY KEY,
	version bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS rpchost_deploy_log (
	name    text        NOT NULL,
	version bigint      NOT NULL,
	action  text        NOT NULL,
	sha256  bytea       REFERENCES rpchost_deploy_modules (sha256),
	size    bigint      NOT NULL,
	by_whom text        NOT NULL,
	replica text        NOT NULL,
	at      timestamptz NOT NULL,
	signature bytea,
	PRIMARY KEY (name, version)
);
-- Added before version 1 was released: a table created by an earlier
-- build of it gets the column too.
ALTER TABLE rpchost_deploy_log ADD COLUMN IF NOT EXISTS signature bytea;
CREATE INDEX IF NOT EXISTS rpchost_deploy_log_sha256 ON rpchost_deploy_log (sha256);
CREATE TABLE IF NOT EXISTS rpchost_deploy_audit (
	id      bigserial   PRIMARY KEY,
	at      timestamptz NOT NULL,
	replica text        NOT NULL,
	action  text        NOT NULL,
	plugin  text        NOT NULL,
	by_whom text        NOT NULL,
	remote  text        NOT NULL,
	sha256  text        NOT NULL,
	outcome text        NOT NULL,
	reason  text        NOT NULL
);`

// Advisory lock keys: schema creation by replicas starting at once, and
// Record, which runs one at a time across the fleet (deployments are rare;
// one at a time, pruning can never delete a module another Record is
// about to refer to).
const (
	schemaLock = 0x7270636864657031 // "rpchdep1"
	recordLock = 0x7270636864657032 // "rpchdep2"
)

// MaxAuditRows bounds the audit table: older rows are deleted as new ones
// come.
const MaxAuditRows = 100_000

// Postgres is the version log in a PostgreSQL database shared by replicas.
type Postgres struct {
	pool *pgxpool.Pool
	dsn  string
}

// OpenPostgres parses dsn and makes a pool; it does not connect (Setup
// does), so that a replica starts while the database is away.
func OpenPostgres(dsn string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN, or parts of it, which may hold
		// a password: none of it is repeated.
		return nil, errors.New("deploy.dsn: cannot parse the connection string: want a URL (postgres://user:password@host:5432/db) or key=value pairs (host=… dbname=…)")
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("deploy.dsn: %w", err)
	}
	return &Postgres{pool: pool, dsn: dsn}, nil
}

// Setup creates the schema if missing and checks its version.
func (p *Postgres) Setup(ctx context.Context) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(schemaLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, pgSchema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		var v int64
		err := tx.QueryRow(ctx, "SELECT value FROM rpchost_deploy_meta WHERE key = 'schema'").Scan(&v)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			_, err = tx.Exec(ctx, "INSERT INTO rpchost_deploy_meta (key, value) VALUES ('schema', $1)", int64(SchemaVersion))
			return err
		case err != nil:
			return err
		case v > SchemaVersion:
			return fmt.Errorf("the deploy schema is at version %d, newer than this rpchost knows (%d): upgrade rpchost", v, SchemaVersion)
		}
		return nil
	})
}

// Close closes the pool.
func (p *Postgres) Close() error { p.pool.Close(); return nil }

func (p *Postgres) Record(ctx context.Context, e Entry, wasm []byte, keep int, expect int64) (Entry, error) {
	if err := e.checkSignature(); err != nil {
		return Entry{}, err
	}
	var sha []byte
	if e.SHA256 != "" {
		var err error
		if sha, err = hex.DecodeString(e.SHA256); err != nil || len(sha) != 32 {
			return Entry{}, fmt.Errorf("version log: %q is not a hex sha256", e.SHA256)
		}
	}
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(recordLock)); err != nil {
			return err
		}
		var last int64
		err := tx.QueryRow(ctx, "SELECT version FROM rpchost_deploy_plugins WHERE name = $1", e.Name).Scan(&last)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if expect >= 0 && last != expect {
			return fmt.Errorf("%w: %s is at version %d, not %d", ErrConflict, e.Name, last, expect)
		}
		if e.Serves() {
			// Under the fleet's lock: two replicas uploading "tw0" and
			// "TW0" at once would each record theirs, then each skip the
			// other's as a case twin, and serve different plugins.
			var twin string
			err := tx.QueryRow(ctx, `SELECT p.name FROM rpchost_deploy_plugins p
				JOIN rpchost_deploy_log l ON l.name = p.name AND l.version = p.version
				WHERE lower(p.name) = lower($1) AND p.name <> $1 AND l.action <> $2 LIMIT 1`,
				e.Name, ActionRemove).Scan(&twin)
			if err == nil {
				return fmt.Errorf("%w: %q", ErrCaseTwin, twin)
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		e.Version = last + 1
		if err := tx.QueryRow(ctx, "SELECT now()").Scan(&e.At); err != nil {
			return err
		}
		var b pgx.Batch
		if sha != nil {
			if wasm != nil {
				b.Queue("INSERT INTO rpchost_deploy_modules (sha256, size, wasm) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING", sha, int64(len(wasm)), wasm)
			}
		}
		b.Queue(`INSERT INTO rpchost_deploy_plugins (name, version) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version`, e.Name, e.Version)
		b.Queue(`INSERT INTO rpchost_deploy_log (name, version, action, sha256, size, by_whom, replica, at, signature)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.Name, e.Version, e.Action, sha, e.Size, e.By, e.From, e.At, e.Signature)
		b.Queue("DELETE FROM rpchost_deploy_log WHERE name = $1 AND version <= $2", e.Name, e.Version-int64(keep))
		b.Queue(`DELETE FROM rpchost_deploy_modules m
			WHERE NOT EXISTS (SELECT 1 FROM rpchost_deploy_log l WHERE l.sha256 = m.sha256)`)
		b.Queue("SELECT pg_notify($1, $2)", Channel, e.Name)
		return tx.SendBatch(ctx, &b).Close()
	})
	if errors.Is(err, ErrConflict) || errors.Is(err, ErrCaseTwin) {
		return Entry{}, err
	}
	if err != nil {
		return Entry{}, fmt.Errorf("deploy database: record %s of %s: %w", e.Action, e.Name, err)
	}
	e.At = e.At.UTC()
	return e, nil
}

const entryColumns = "name, version, action, coalesce(encode(sha256, 'hex'), ''), size, by_whom, replica, at, signature"

func scanEntries(rows pgx.Rows) ([]Entry, error) {
	var out []Entry
	var e Entry
	_, err := pgx.ForEachRow(rows, []any{&e.Name, &e.Version, &e.Action, &e.SHA256, &e.Size, &e.By, &e.From, &e.At, &e.Signature}, func() error {
		e.At = e.At.UTC()
		out = append(out, e)
		return nil
	})
	return out, err
}

func (p *Postgres) History(ctx context.Context, name string) ([]Entry, error) {
	rows, err := p.pool.Query(ctx, "SELECT "+entryColumns+" FROM rpchost_deploy_log WHERE name = $1 ORDER BY version DESC", name)
	if err != nil {
		return nil, fmt.Errorf("deploy database: history of %s: %w", name, err)
	}
	out, err := scanEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("deploy database: history of %s: %w", name, err)
	}
	return out, nil
}

// Latest returns every name's last entry: what the fleet should serve.
func (p *Postgres) Latest(ctx context.Context) (map[string]Entry, error) {
	rows, err := p.pool.Query(ctx, "SELECT DISTINCT ON (name) "+entryColumns+" FROM rpchost_deploy_log ORDER BY name, version DESC")
	if err != nil {
		return nil, fmt.Errorf("deploy database: latest versions: %w", err)
	}
	list, err := scanEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("deploy database: latest versions: %w", err)
	}
	out := make(map[string]Entry, len(list))
	for _, e := range list {
		out[e.Name] = e
	}
	return out, nil
}

func (p *Postgres) Module(ctx context.Context, sha string) ([]byte, error) {
	key, err := hex.DecodeString(sha)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("module %q: %w", sha, ErrNotFound)
	}
	var wasm []byte
	err = p.pool.QueryRow(ctx, "SELECT wasm FROM rpchost_deploy_modules WHERE sha256 = $1", key).Scan(&wasm)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("module %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("deploy database: module %s: %w", sha, err)
	}
	return wasm, nil
}

// AuditEntry is one administration attempt, as the audit table keeps it.
type AuditEntry struct {
	At                                                   time.Time
	Replica, Action, Plugin, By, Remote, SHA256, Outcome string
	Reason                                               string
}

// Audit inserts entries, and keeps the table at MaxAuditRows.
func (p *Postgres) Audit(ctx context.Context, entries []AuditEntry) error {
	var b pgx.Batch
	for _, a := range entries {
		b.Queue(`INSERT INTO rpchost_deploy_audit (at, replica, action, plugin, by_whom, remote, sha256, outcome, reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, a.At, a.Replica, a.Action, a.Plugin, a.By, a.Remote, a.SHA256, a.Outcome, a.Reason)
	}
	b.Queue("DELETE FROM rpchost_deploy_audit WHERE id <= (SELECT max(id) FROM rpchost_deploy_audit) - $1", int64(MaxAuditRows))
	if err := p.pool.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("deploy database: audit: %w", err)
	}
	return nil
}

// Listener is a connection of its own that LISTENs on Channel.
type Listener struct{ conn *pgx.Conn }

// Listen connects and starts listening.
func (p *Postgres) Listen(ctx context.Context) (*Listener, error) {
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return nil, fmt.Errorf("deploy database: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("deploy database: listen: %w", err)
	}
	return &Listener{conn: conn}, nil
}

// Wait returns the payload (a plugin name) of the next notification. When
// ctx ends first it returns ctx's error and the connection stays usable.
func (l *Listener) Wait(ctx context.Context) (string, error) {
	n, err := l.conn.WaitForNotification(ctx)
	if err != nil {
		return "", err
	}
	return n.Payload, nil
}

// Close closes the connection.
func (l *Listener) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return l.conn.Close(ctx)
}
