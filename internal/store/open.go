package store

import (
	"context"
	"fmt"
)

// Open opens a store: driver "bbolt" with target a data directory (created,
// with <dir>/rpchost.db, on first start), or driver "postgres" with target a
// DSN (the schema is created if missing). Zero fields of lim take the
// defaults. For bbolt, the wait for another process's lock on the file is
// about 2 s, or less if ctx's deadline is sooner (ErrInUse then), and a file
// that is not a sound bolt file is refused with ErrDamaged.
func Open(ctx context.Context, driver, target string, lim Limits) (Store, error) {
	lim = lim.withDefaults()
	if err := lim.Validate(); err != nil {
		return nil, err
	}
	// Each backend's nil pointer is returned as a nil Store, never as a
	// non-nil interface holding nil, so a caller's "s != nil" means a store.
	switch driver {
	case "bbolt":
		s, err := openBolt(ctx, target, lim)
		if err != nil {
			return nil, err
		}
		return s, nil
	case "postgres":
		if target == "" {
			return nil, fmt.Errorf("postgres: empty DSN")
		}
		s, err := openPostgres(ctx, target, lim)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("store driver %q: want bbolt or postgres", driver)
}
