//go:build linux

package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDigestsEntries: an entry is found for the version of the file it was
// recorded for, and for nothing else; a damaged entry is ignored; a file
// too recent to be told apart from its next version is not recorded.
func TestDigestsEntries(t *testing.T) {
	d := newDigests(t.TempDir())
	file := filepath.Join(t.TempDir(), "m.wasm")
	id := fileID{dev: 1, ino: 2, size: 3, mtime: time.Now().Add(-time.Hour).UnixNano(), ctime: time.Now().Add(-time.Hour).UnixNano()}
	sum := sha256.Sum256([]byte("abc"))
	if _, ok := d.lookup(file, id); ok {
		t.Fatal("found in an empty cache")
	}
	if err := d.record(file, id, sum, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, ok := d.lookup(file, id); !ok || got != sum {
		t.Fatalf("lookup = %x, %v", got, ok)
	}
	for name, other := range map[string]fileID{
		"another inode": {dev: 1, ino: 9, size: 3, mtime: id.mtime, ctime: id.ctime},
		"changed":       {dev: 1, ino: 2, size: 3, mtime: id.mtime, ctime: id.ctime + 1},
		"touched":       {dev: 1, ino: 2, size: 3, mtime: id.mtime + 1, ctime: id.ctime},
		"grown":         {dev: 1, ino: 2, size: 4, mtime: id.mtime, ctime: id.ctime},
	} {
		if _, ok := d.lookup(file, other); ok {
			t.Errorf("%s: found", name)
		}
	}
	if _, ok := d.lookup(file+"x", id); ok {
		t.Error("found for another path")
	}
	entry := d.entryPath(file)
	good, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	for name, damage := range map[string]func([]byte) []byte{
		"digest flipped":   func(b []byte) []byte { b[5*8] ^= 1; return b },
		"checksum flipped": func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
		"truncated":        func(b []byte) []byte { return b[:len(b)-1] },
		"empty":            func([]byte) []byte { return nil },
		"oversized":        func(b []byte) []byte { return append(b, 0) },
	} {
		if err := os.WriteFile(entry, damage(append([]byte(nil), good...)), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, ok := d.lookup(file, id); ok {
			t.Errorf("%s: found %x", name, got)
		}
	}
	// Too recent: not recorded (the old entry stays damaged, so not found).
	fresh := id
	fresh.ctime = time.Now().UnixNano()
	if err := d.record(file, fresh, sum, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.lookup(file, fresh); ok {
		t.Error("a version within the racy window was recorded")
	}
	// No cache: nothing recorded, nothing found.
	if err := (digests{}).record(file, id, sum, time.Now()); err != nil {
		t.Error(err)
	}
	if _, ok := (digests{}).lookup(file, id); ok {
		t.Error("found without a cache")
	}
}

// TestStartUsesTheDigestOfAnUnchangedFile: a second start takes a settled
// file's digest from the cache without reading it, a changed file is read
// and hashed again, and bytes that are not what the cache says (here a
// forged entry: no instrumented form is cached under the forged digest, so
// the file must be read) are refused rather than compiled under it.
func TestStartUsesTheDigestOfAnUnchangedFile(t *testing.T) {
	wasm := fixture(t, "calc")
	dir := pluginDir(t, map[string][]byte{"calc.wasm": wasm})
	written := time.Now()
	file := filepath.Join(dir, "calc.wasm")
	cache := t.TempDir()
	cfg := NewConfig().WithPluginDir(dir).WithCompilationCacheDir(cache).WithWatch(false, time.Second, time.Second)
	ctx := context.Background()
	start := func() PluginInfo {
		t.Helper()
		h, err := New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close(ctx)
		if ps := h.Plugins(); len(ps) == 1 {
			return ps[0]
		}
		return PluginInfo{}
	}
	real := sha256.Sum256(wasm)
	// Until the file is racyWindow old, nothing is recorded.
	start()
	d := newDigests(cache)
	if _, err := os.Stat(d.entryPath(file)); !os.IsNotExist(err) && time.Since(written) < racyWindow {
		t.Fatalf("an entry for a file written just now: %v", err)
	}
	time.Sleep(racyWindow + 100*time.Millisecond)
	if got := start(); got.SHA256 != hex.EncodeToString(real[:]) {
		t.Fatalf("sha256 %s, want the file's", got.SHA256)
	}
	info, err := os.Lstat(file)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := fileIDOf(info)
	if got, ok := d.lookup(file, id); !ok || got != real {
		t.Fatalf("the settled file's digest was not recorded: %x, %v", got, ok)
	}

	// A forged entry, so that the start shows whether it was used.
	forged := sha256.Sum256([]byte("not calc"))
	if err := os.WriteFile(d.entryPath(file), id.encode(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ps := h.Plugins(); len(ps) != 0 {
		t.Errorf("loaded %+v from bytes whose digest is not the one the cache gave", ps)
	}
	refused := h.Refused()
	if len(refused) != 1 || !strings.Contains(refused[0].Reason, "changed while it loaded") {
		t.Errorf("refused %+v, want calc refused as changed while it loaded", refused)
	}
	h.Close(ctx)

	// The file rewritten with the same bytes: a new change time, so the
	// entry no longer stands for it; it is read and hashed again.
	if err := os.WriteFile(file, wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := start(); got.SHA256 != hex.EncodeToString(real[:]) {
		t.Errorf("after a rewrite: sha256 %s, want the file's", got.SHA256)
	}
}
