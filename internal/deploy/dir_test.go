package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestDirRecordHistoryModule(t *testing.T) {
	ctx := context.Background()
	d := NewDir(filepath.Join(t.TempDir(), ".versions"), 64<<20)
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
	d := NewDir(filepath.Join(t.TempDir(), ".versions"), 64<<20)
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
	h, err := NewDir(d.dir, 64<<20).History(ctx, "up") // read back from the file
	if err != nil || len(h) != 2 {
		t.Fatalf("history: %+v, %v", h, err)
	}
	if h[0].Signature != nil || string(h[1].Signature) != string(sig) {
		t.Errorf("signatures read back: %x and %x, want none and %x", h[0].Signature, h[1].Signature, sig)
	}
}

// Files someone put in the log's directory cannot block a deploy (a FIFO)
// or turn its version numbers negative (an edited last version).
func TestDirRefusesWhatItDidNotWrite(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), ".versions")
	d := NewDir(dir, 64<<20)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "ff.json"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := d.History(ctx, "ff"); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO as a log file: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO as a log file blocked")
	}
	if err := os.WriteFile(filepath.Join(dir, "big.json"), []byte(`{"last": 9223372036854775807}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m := []byte("\x00asm")
	if _, err := d.Record(ctx, Entry{Name: "big", Action: ActionUpload, SHA256: digest(m), Size: 4}, m, 5, -1); err == nil || !strings.Contains(err.Error(), "edited by hand") {
		t.Errorf("a last version of MaxInt64: %v", err)
	}
}

// A name differing only in case from one the log serves is refused before
// anything is written; once that one is removed, it may be recorded.
func TestDirRefusesCaseTwins(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), ".versions")
	d := NewDir(dir, 64<<20)
	m := []byte("\x00asm one")
	if _, err := d.Record(ctx, Entry{Name: "cc0", Action: ActionUpload, SHA256: digest(m), Size: 8}, m, 5, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Record(ctx, Entry{Name: "CC0", Action: ActionUpload, SHA256: digest(m), Size: 8}, m, 5, -1); !errors.Is(err, ErrCaseTwin) || !strings.Contains(err.Error(), `"cc0"`) {
		t.Fatalf("recording CC0 beside cc0: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "CC0.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused twin left a log file: %v", err)
	}
	if _, err := d.Record(ctx, Entry{Name: "cc0", Action: ActionRemove}, nil, 5, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Record(ctx, Entry{Name: "CC0", Action: ActionUpload, SHA256: digest(m), Size: 8}, m, 5, -1); err != nil {
		t.Errorf("CC0 once cc0 is removed: %v", err)
	}
}
