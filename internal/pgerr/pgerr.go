// Package pgerr keeps connection settings out of PostgreSQL errors that
// rpchost logs or answers with.
package pgerr

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// Redact returns err without the connection settings pgx puts in a
// connection error ("failed to connect to `user=… database=…`"): a DSN is
// never logged or echoed (README, Security model); the reason the
// connection failed (refused, timed out, authentication) is kept. what
// names the database ("the deploy database").
func Redact(err error, what string) error {
	var ce *pgconn.ConnectError
	if err == nil || !errors.As(err, &ce) {
		return err
	}
	inner := ce.Unwrap()
	if inner == nil {
		return errors.New("cannot connect to " + what)
	}
	return fmt.Errorf("cannot connect to %s: %w", what, inner)
}
