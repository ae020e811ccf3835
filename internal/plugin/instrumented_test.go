package plugin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"

	"github.com/rpchost/rpchost/internal/interrupt"
)

// The instrumented form of a module is cached across runs under
// instrumentedFormat: if interrupt.Instrument writes anything else for
// the same input, a cache filled by an older binary would be run by a
// newer one. Change instrumentedFormat (v1 → v2), then this hash.
func TestInstrumentedFormatPinsTheOutput(t *testing.T) {
	wasm, err := os.ReadFile("../interrupt/testdata/features.wasm")
	if err != nil {
		t.Fatal(err)
	}
	out, err := interrupt.Instrument(wasm)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(out)
	const want = "04edbf558b26ae75b39602e642efc36a37f57b30dd26e54848155bcf3049ad34"
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("interrupt.Instrument's output changed (sha256 %s, pinned %s): change instrumentedFormat (%s), then the pinned hash",
			got, want, instrumentedFormat)
	}
}

func TestInstrumentedCache(t *testing.T) {
	wasm, err := os.ReadFile("../interrupt/testdata/features.wasm")
	if err != nil {
		t.Fatal(err)
	}
	want, err := interrupt.Instrument(wasm)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(wasm)
	digest := hex.EncodeToString(sum[:])
	r, err := NewRuntime(context.Background(), RuntimeOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	path := r.instrumentedPath(digest)
	if path == "" {
		t.Fatal("no cache path for a digest with a cache directory")
	}
	for _, bad := range []string{"", "../../etc/passwd", digest[:10], "Z" + digest[1:]} {
		if p := r.instrumentedPath(bad); p != "" {
			t.Errorf("digest %q has cache path %s", bad, p)
		}
	}

	// A miss instruments and fills the cache.
	got, err := r.instrument(wasm, Options{Digest: digest})
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("miss: %v, equal %v", err, bytes.Equal(got, want))
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b[:len(b)-sha256.Size], want) {
		t.Fatalf("cache file: %v", err)
	}

	// A hit is what the file holds (here made different, to tell it from
	// instrumenting again).
	marked := append(bytes.Clone(want), 0)
	if err := writeInstrumented(path, marked); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.instrument(wasm, Options{Digest: digest}); !bytes.Equal(got, marked) {
		t.Error("a valid cache entry was not used")
	}

	// A damaged or cut file is instrumented again and replaced.
	for name, damage := range map[string]func([]byte) []byte{
		"flipped":   func(b []byte) []byte { b[len(b)/2] ^= 1; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)-7] },
		"empty":     func([]byte) []byte { return nil },
		"oversized": func(b []byte) []byte { return append(make([]byte, 3*len(wasm)+64<<10), b...) },
	} {
		b, _ := os.ReadFile(path)
		if err := os.WriteFile(path, damage(b), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, err := r.instrument(wasm, Options{Digest: digest}); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %v, equal %v", name, err, bytes.Equal(got, want))
		}
		if b, _ := os.ReadFile(path); !bytes.Equal(b[:len(b)-sha256.Size], want) {
			t.Errorf("%s: the cache entry was not rewritten", name)
		}
	}

	// Given no bytes, a hit does not read them; a miss reads them once.
	reads := 0
	lazy := Options{Digest: digest, Size: len(wasm), Read: func() ([]byte, error) { reads++; return wasm, nil }}
	if got, err := r.instrument(nil, lazy); err != nil || !bytes.Equal(got, want) || reads != 0 {
		t.Errorf("lazy hit: %v, equal %v, %d reads, want 0", err, bytes.Equal(got, want), reads)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if got, err := r.instrument(nil, lazy); err != nil || !bytes.Equal(got, want) || reads != 1 {
		t.Errorf("lazy miss: %v, equal %v, %d reads, want 1", err, bytes.Equal(got, want), reads)
	}

	// No cache directory: nothing is written anywhere.
	r2, err := NewRuntime(context.Background(), RuntimeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close(context.Background())
	if r2.instrumentedPath(digest) != "" {
		t.Error("a cache path without a cache directory")
	}
}
