package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestDirRecordHistoryModule(t *testing.T) {
	ctx := context.Background()
	d := NewDir(filepath.Join(t.TempDir(), ".versions"))
	if h, err := d.History(ctx, "up"); err != nil || len(h) != 0 {
		t.Fatalf("history of a name never recorded: %v, %v", h, err)
	}
	m1, m2 := []byte("\x00asm one"), []byte("\x00asm two")
	e, err := d.Record(ctx, Entry{Name: "up", Action: ActionUpload, SHA256: digest(m1), Size: int64(len(m1))}, m1, 2, -1)
	if err != nil || e.Version != 1 || e.At.IsZero() {
		t.Fatalf("first record: %+v, %v", e, err)
	}
	// expect: the log must be at the version the caller read.
	if _, err := d.Record(ctx, Entry{Name: "up", Action: ActionRemove}, nil, 2, 0); !errors.Is(err, ErrConflict) {
		t.Errorf("record expecting version 0 at version 1: %v", err)
	}
	for _, m := range [][]byte{m2, m2} {
		if _, err := d.Record(ctx, Entry{Name: "up", Action: ActionUpload, SHA256: digest(m)}, m, 2, -1); err != nil {
			t.Fatal(err)
		}
	}
	h, err := d.History(ctx, "up")
	if err != nil || len(h) != 2 || h[0].Version != 3 || h[1].Version != 2 {
		t.Fatalf("history: %+v, %v", h, err)
	}
	if _, err := d.Module(ctx, digest(m1)); !errors.Is(err, ErrNotFound) {
		t.Errorf("a pruned module is still there: %v", err)
	}
	if got, err := d.Module(ctx, digest(m2)); err != nil || string(got) != string(m2) {
		t.Errorf("module: %q, %v", got, err)
	}
	for _, bad := range []string{"../up.json", "", "ABC", digest(m2) + "/.."} {
		if _, err := d.Module(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("Module(%q) = %v, want ErrNotFound", bad, err)
		}
	}
	if _, err := d.Record(ctx, Entry{Name: "up", Action: ActionUpload, SHA256: "../../x"}, m1, 2, -1); err == nil {
		t.Error("a digest that is not hex was recorded")
	}
	// A damaged file is an error, not an empty history.
	if err := os.WriteFile(filepath.Join(d.dir, "up.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.History(ctx, "up"); err == nil {
		t.Error("a damaged log file read as a history")
	}
}

// A signature is kept with its entry, through the file, and only in the
// one size an ed25519 signature has.
func TestDirKeepsSignatures(t *testing.T) {
	ctx := context.Background()
	d := NewDir(filepath.Join(t.TempDir(), ".versions"))
	m := []byte("\x00asm one")
	sig := make([]byte, SignatureSize)
	sig[0], sig[63] = 1, 2
	if _, err := d.Record(ctx, Entry{Name: "up", Action: ActionUpload, SHA256: digest(m), Signature: sig}, m, 5, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Record(ctx, Entry{Name: "up", Action: ActionUpload, SHA256: digest(m)}, m, 5, -1); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{{}, make([]byte, 63), make([]byte, 4096)} {
		if _, err := d.Record(ctx, Entry{Name: "up", Action: ActionUpload, SHA256: digest(m), Signature: bad}, m, 5, -1); err == nil {
			t.Errorf("a signature of %d bytes was recorded", len(bad))
		}
	}
	h, err := NewDir(d.dir).History(ctx, "up") // read back from the file
	if err != nil || len(h) != 2 {
		t.Fatalf("history: %+v, %v", h, err)
	}
	if h[0].Signature != nil || string(h[1].Signature) != string(sig) {
		t.Errorf("signatures read back: %x and %x, want none and %x", h[0].Signature, h[1].Signature, sig)
	}
}
