package deploy

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// Redact returns err without the connection settings pgx puts in a
// connection error ("failed to connect to `user=… database=…`"): the
// DSN is never logged or echoed (README, Security model); the reason the
// connection failed (refused, timed out, authentication) is kept.
func Redact(err error) error {
	var ce *pgconn.ConnectError
	if err == nil || !errors.As(err, &ce) {
		return err
	}
	inner := ce.Unwrap()
	if inner == nil {
		return errors.New("cannot connect to the deploy database")
	}
	return fmt.Errorf("cannot connect to the deploy database: %w", inner)
}
