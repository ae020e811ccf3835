package pgerr

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A connection error names no part of the DSN once redacted, but keeps
// why the connection failed.
func TestRedactHidesTheConnectionSettings(t *testing.T) {
	_, err := pgx.Connect(context.Background(), "postgres://secretuser:secretpass@127.0.0.1:1/secretdb?connect_timeout=2")
	if err == nil {
		t.Fatal("connected to port 1")
	}
	got := Redact(err, "the deploy database").Error()
	for _, s := range []string{"secretuser", "secretpass", "secretdb"} {
		if strings.Contains(got, s) {
			t.Errorf("redacted error %q names %s", got, s)
		}
	}
	if !strings.Contains(got, "cannot connect to the deploy database") {
		t.Errorf("redacted error %q", got)
	}
	t.Logf("redacted: %s (was %s)", got, err)
}
