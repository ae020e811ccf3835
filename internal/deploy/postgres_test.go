package deploy

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/rpchost/rpchost/internal/store/pgtest"
)

// TestPostgresKeepsSignatures records entries with and without a
// signature, in a log table created before the signature column existed
// (Setup adds it), and reads them back through History and Latest.
func TestPostgresKeepsSignatures(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t, pgtest.Start(t))
	db, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	// The log table as the first build of schema version 1 made it.
	if _, err := db.Exec(ctx, `CREATE TABLE rpchost_deploy_modules (sha256 bytea PRIMARY KEY, size bigint NOT NULL, wasm bytea NOT NULL);
		CREATE TABLE rpchost_deploy_log (name text NOT NULL, version bigint NOT NULL, action text NOT NULL,
			sha256 bytea REFERENCES rpchost_deploy_modules (sha256), size bigint NOT NULL, by_whom text NOT NULL,
			replica text NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (name, version))`); err != nil {
		t.Fatal(err)
	}
	p, err := OpenPostgres(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := 0; i < 2; i++ { // Setup twice: the second finds the column there
		if err := p.Setup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	m1, m2 := []byte("\x00asm one"), []byte("\x00asm two")
	sig := make([]byte, SignatureSize)
	sig[0], sig[63] = 1, 2
	if _, err := p.Record(ctx, Entry{Name: "up", Action: ActionUpload, SHA256: digest(m1), Signature: sig}, m1, 5, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Record(ctx, Entry{Name: "up", Action: ActionUpload, SHA256: digest(m2)}, m2, 5, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Record(ctx, Entry{Name: "up", Action: ActionUpload, SHA256: digest(m2), Signature: sig[:10]}, m2, 5, -1); err == nil {
		t.Error("a signature of 10 bytes was recorded")
	}
	h, err := p.History(ctx, "up")
	if err != nil || len(h) != 2 {
		t.Fatalf("history: %+v, %v", h, err)
	}
	if h[0].Signature != nil || string(h[1].Signature) != string(sig) {
		t.Errorf("signatures read back: %x and %x, want none and %x", h[0].Signature, h[1].Signature, sig)
	}
	if _, err := p.Record(ctx, Entry{Name: "other", Action: ActionUpload, SHA256: digest(m1), Signature: sig}, m1, 5, -1); err != nil {
		t.Fatal(err)
	}
	latest, err := p.Latest(ctx)
	if err != nil || len(latest) != 2 {
		t.Fatalf("latest: %+v, %v", latest, err)
	}
	if latest["up"].Signature != nil || string(latest["other"].Signature) != string(sig) {
		t.Errorf("latest signatures: up %x, other %x", latest["up"].Signature, latest["other"].Signature)
	}
}
