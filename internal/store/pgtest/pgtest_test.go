package pgtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestStart starts a server in a subtest, uses it, and checks that the
// subtest's cleanup stopped it and removed its directory.
func TestStart(t *testing.T) {
	var dsn string
	t.Run("server", func(t *testing.T) {
		dsn = Start(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var version string
		if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
			t.Fatal(err)
		}
		var listen string
		if err := conn.QueryRow(ctx, "SHOW listen_addresses").Scan(&listen); err != nil {
			t.Fatal(err)
		}
		if listen != "" {
			t.Errorf("listen_addresses = %q, want none (socket only)", listen)
		}
		t.Logf("server_version %s", version)

		db := NewDatabase(t, dsn)
		c2, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close(ctx)
		var name string
		if err := c2.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "t_teststart_server_") {
			t.Errorf("database %q, want one named after the test", name)
		}
	})
	if t.Failed() || dsn == "" {
		return
	}
	dir := strings.TrimPrefix(strings.Fields(dsn)[0], "host=")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still exists after cleanup (err %v)", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".s.PGSQL.5432")); !os.IsNotExist(err) {
		t.Errorf("socket still there after cleanup")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, dsn); err == nil {
		conn.Close(ctx)
		t.Error("server still answers after cleanup")
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		sign int
	}{{"9.6", "10", -1}, {"15", "15", 0}, {"16", "15", 1}, {"17", "9.6", 1}} {
		got := compareVersions(c.a, c.b)
		if (got < 0 && c.sign >= 0) || (got > 0 && c.sign <= 0) || (got == 0 && c.sign != 0) {
			t.Errorf("compareVersions(%q, %q) = %d, want sign %d", c.a, c.b, got, c.sign)
		}
	}
}
