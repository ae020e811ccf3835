package plugin

import (
	"errors"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
)

func manifestOf(t *testing.T, methods int, help string, sigs [][]string) []byte {
	t.Helper()
	m := abi.Manifest{ABI: abi.Version, Methods: make([]abi.MethodDesc, methods)}
	for i := range m.Methods {
		m.Methods[i] = abi.MethodDesc{Name: "m" + strconv.Itoa(i), Help: help, Signatures: sigs}
	}
	b, err := abi.AppendManifest(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Manifests over a limit are refused with the limit and the figure; one at
// every limit at once decodes.
func TestManifestLimits(t *testing.T) {
	sig := make([]string, maxSignatureTypes)
	for i := range sig {
		sig[i] = "int"
	}
	for _, tc := range []struct {
		name     string
		manifest []byte
		want     string
	}{
		// The red team's manifest: +1.5 GB and a 44 MB log line.
		{"1,000,000 methods", manifestOf(t, 1_000_000, "", nil), "bytes, the limit is 4194304"},
		{"10,001 methods", manifestOf(t, maxMethods+1, "", nil), "10001 methods, the limit is 10000"},
		{"a help of 16 KiB + 1", manifestOf(t, 1, strings.Repeat("h", maxHelpBytes+1), nil), "16385 bytes of help, the limit is 16384"},
		{"65 signatures", manifestOf(t, 1, "", slices.Repeat([][]string{{"int"}}, maxSignatures+1)), "65 signatures, the limit is 64"},
		{"a signature of 65 types", manifestOf(t, 1, "", [][]string{append(sig, "int")}), "a signature of 65 types, the limit is 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeManifest(tc.manifest)
			t.Logf("%d KB: %v", len(tc.manifest)>>10, err)
			if !errors.Is(err, ErrManifestLimit) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrManifestLimit saying %q", err, tc.want)
			}
		})
	}

	// The largest manifest that passes: what decoding it holds.
	b := manifestOf(t, maxMethods, strings.Repeat("h", 300), [][]string{sig[:8]})
	if len(b) > maxManifestBytes {
		t.Fatalf("the test's manifest has %d bytes, over the limit", len(b))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := decodeManifest(b)
	runtime.ReadMemStats(&after)
	if err != nil || len(m.Methods) != maxMethods {
		t.Fatalf("%d methods, err %v", len(m.Methods), err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("a manifest of %d methods, %d KB: decoding allocates %d MB (%.1f times its size)",
		maxMethods, len(b)>>10, allocated>>20, float64(allocated)/float64(len(b)))
	if allocated > 40*maxManifestBytes {
		t.Errorf("decoding allocated %d MB", allocated>>20)
	}
}
