package store

import (
	"context"
	"fmt"
)

// Open opens a store: driver "bbolt" with target a data directory (created,
// with <dir>/rpchost.db, on first start), or driver "postgres" with target a
// DSN (the schema is created if missing). Zero fields of lim take the
// defaults. For bbolt, ctx's deadline (5 s without one) bounds the wait for
// another process's lock on the file.
func Open(ctx context.Context, driver, target string, lim Limits) (Store, error) {
	lim = lim.withDefaults()
	switch driver {
	case "bbolt":
		return openBolt(ctx, target, lim)
	case "postgres":
		if target == "" {
			return nil, fmt.Errorf("postgres: empty DSN")
		}
		return openPostgres(ctx, target, lim)
	}
	return nil, fmt.Errorf("store driver %q: want bbolt or postgres", driver)
}
