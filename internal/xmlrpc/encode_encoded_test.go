package xmlrpc

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/testutil"
)

// sameResponse fails unless v written as Go values and written from
// encoded, its MessagePack, give the same bytes or the same error, for a
// response without and with fraction digits.
func sameResponse(t *testing.T, v any, encoded []byte) {
	t.Helper()
	for _, frac := range []int{0, 3, 9} {
		want, wantErr := appendResponse([]byte("x"), v, frac)
		got, gotErr := appendResponse([]byte("x"), abi.Encoded(encoded), frac)
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) || !bytes.Equal(want, got) {
			t.Fatalf("%.100v (% .40x, frac %d):\nfrom bytes  %q, %v\nfrom values %q, %v",
				v, encoded, frac, trim(got), gotErr, trim(want), wantErr)
		}
	}
}

func trim(b []byte) []byte {
	if len(b) > 300 {
		return b[:300]
	}
	return b
}

// randomValue is a value of the abi set, with the scalars XML cannot
// carry among the others: NaN, infinities, control characters, U+FFFE,
// years outside 0-9999, in strings and member names.
func randomValue(r *rand.Rand, depth int) any {
	strs := []string{"", "a", "héllo", "a&b<c>d\re", "tab\tnl\n", "\x01", "ok\uFFFEno", "\u00e9\U0001F600",
		strings.Repeat("long & ", 40), "]]>"}
	switch k := r.IntN(14); {
	case k == 0:
		return nil
	case k == 1:
		return r.IntN(2) == 0
	case k == 2:
		return []int64{0, 1, -1, 127, 128, -32, -33, math.MaxInt32, math.MaxInt32 + 1, math.MinInt32, math.MinInt32 - 1,
			math.MaxInt64, math.MinInt64}[r.IntN(13)]
	case k == 3:
		return r.Int64() >> r.IntN(64)
	case k == 4:
		return []float64{0, -0.5, 1e300, 1e-300, math.NaN(), math.Inf(1), math.Inf(-1), 0.1, float64(float32(0.1)), 12345678.9}[r.IntN(10)]
	case k == 5:
		return strs[r.IntN(len(strs))]
	case k == 6:
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	case k == 7:
		return []time.Time{time.Unix(0, 0), time.Unix(1<<33, 5), time.Unix(-62135596801, 0), time.Unix(253402300800, 0),
			time.Unix(1700000000, 123456789), time.Unix(-1, 999), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}[r.IntN(7)].UTC()
	case depth > 4:
		return int64(k)
	case k <= 10:
		a := make([]any, r.IntN(6))
		for i := range a {
			a[i] = randomValue(r, depth+1)
		}
		return a
	default:
		s := abi.Struct{}
		for i := range r.IntN(6) {
			name := strs[r.IntN(len(strs))] + fmt.Sprint(i) // unique
			s = append(s, abi.Member{Name: name, Value: randomValue(r, depth+1)})
		}
		return s
	}
}

func TestAppendEncodedMatchesValues(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 17))
	n, failing := 0, 0
	for range 20_000 {
		v := randomValue(r, 0)
		if _, ok := v.([]any); !ok {
			if _, ok := v.(abi.Struct); !ok {
				v = []any{v}
			}
		}
		b, err := abi.AppendValue(nil, v)
		if err != nil {
			continue // NaN is outside what abi encodes; the fuzz test reaches it from bytes
		}
		decoded, err := abi.Encoded(b).Decode()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := AppendResponse(nil, decoded); err != nil {
			failing++
		}
		sameResponse(t, decoded, b)
		n++
	}
	t.Logf("%d values compared, %d of them refused by both", n, failing)
	if n < 10_000 || failing < 1_000 || failing > n-1_000 {
		t.Fatalf("%d values, %d refused: the generator lost its variety", n, failing)
	}
}

// TestAppendEncodedScalarForms: every MessagePack form of a scalar (not
// only the shortest, which abi writes) is written as its value is.
func TestAppendEncodedScalarForms(t *testing.T) {
	for _, c := range []struct {
		hex string
		v   any
	}{
		{"ca 3dcccccd", float64(float32(0.1))},
		{"ca 7fc00000", math.NaN()},
		{"cb 7ff0000000000000", math.Inf(1)},
		{"cc 05", int64(5)}, {"cd 0005", int64(5)}, {"ce 00000005", int64(5)}, {"cf 0000000000000005", int64(5)},
		{"d0 fb", int64(-5)}, {"d1 fffb", int64(-5)}, {"d2 fffffffb", int64(-5)}, {"d3 fffffffffffffffb", int64(-5)},
		{"cf 7fffffffffffffff", int64(math.MaxInt64)},
		{"d9 01 61", "a"}, {"da 0001 61", "a"}, {"db 00000001 61", "a"},
		{"c4 01 ff", []byte{0xff}}, {"c5 0001 ff", []byte{0xff}}, {"c6 00000001 ff", []byte{0xff}},
		{"d6 ff 00000001", time.Unix(1, 0).UTC()},
		{"d7 ff " + fmt.Sprintf("%016x", uint64(7)<<34|5), time.Unix(5, 7).UTC()},
		{"c7 0c ff 00000009 fffffff000000000", time.Unix(-(1 << 36), 9).UTC()},
		{"dc 0001 01", []any{int64(1)}}, {"dd 00000001 01", []any{int64(1)}},
		{"de 0001 a161 01", abi.Struct{{Name: "a", Value: int64(1)}}},
		{"df 00000001 d9 01 61 01", abi.Struct{{Name: "a", Value: int64(1)}}},
	} {
		sameResponse(t, c.v, hexBytes(t, c.hex))
	}
}

// TestAppendEncodedMalformed: bytes that break abi.Encoded's promise fail
// the encoding, without a panic, and leave dst as it was.
func TestAppendEncodedMalformed(t *testing.T) {
	deep := append(bytes.Repeat([]byte{0x91}, maxEncodeDepth+1), 0x01)
	for _, h := range []string{"", "c1", "91", "92 01", "dd ffffffff", "df 7fffffff 01", "81 01 01", "a3 6161",
		"cf 8000000000000000", "d6 05 00000000", "d7 ff ffffffffffffffff", "c7 0b ff 0000000000000000000000", "01 01", "d4 ff 00"} {
		b := hexBytes(t, h)
		out, err := AppendResponse([]byte("x"), abi.Encoded(b))
		if err == nil || string(out) != "x" {
			t.Errorf("% x: %q, %v; want an error and dst unchanged", b, out, err)
		}
	}
	if _, err := AppendResponse(nil, abi.Encoded(deep)); err == nil || !strings.Contains(err.Error(), "not one well-formed value") {
		t.Errorf("%d arrays deep: %v", maxEncodeDepth+1, err)
	}
}

func hexBytes(t testing.TB, s string) []byte {
	t.Helper()
	var b []byte
	for _, f := range strings.Fields(s) {
		for i := 0; i+1 < len(f); i += 2 {
			var c byte
			if _, err := fmt.Sscanf(f[i:i+2], "%02x", &c); err != nil {
				t.Fatal(err)
			}
			b = append(b, c)
		}
	}
	return b
}

// FuzzAppendEncoded: for any bytes abi.DecodeValue accepts, writing the
// XML from the bytes and from the decoded value give the same response or
// the same error; bytes it refuses never make the encoder panic.
func FuzzAppendEncoded(f *testing.F) {
	r := rand.New(rand.NewPCG(2, 17))
	for range 50 {
		if b, err := abi.AppendValue(nil, randomValue(r, 0)); err == nil {
			f.Add(b)
		}
	}
	for _, h := range []string{"ca 7fc00000", "91 a2 c328", "81 a1 01 c0", "92 d7 ff ffffffffffffffff c0"} {
		f.Add(hexBytes(f, h))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, rest, err := abi.DecodeValue(b)
		if err != nil {
			_, _ = AppendResponse(nil, abi.Encoded(b))
			return
		}
		sameResponse(t, v, b[:len(b)-len(rest)])
	})
}

func BenchmarkAppendResponseStructsEncoded(b *testing.B) {
	e, err := abi.AppendValue(nil, structHeavy()[0])
	if err != nil {
		b.Fatal(err)
	}
	benchAppend(b, abi.Encoded(e))
}

// BenchmarkResultReadings is the host's result path for types.echo of B's
// 500-reading batch: the guest's Result checked and written as XML,
// through Go values as before (values) and from its bytes (encoded).
func BenchmarkResultReadings(b *testing.B) {
	req, err := ParseRequest(testutil.ReadingsCall("types.echo", 500), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	result, err := abi.AppendResult(nil, req.Params)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		decode func([]byte, int) (any, error)
	}{{"values", abi.DecodeResultWithin}, {"encoded", abi.DecodeResultEncoded}} {
		b.Run(c.name, func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				v, err := c.decode(result, 1_000_000)
				if err != nil {
					b.Fatal(err)
				}
				if buf, err = AppendResponse(buf[:0], v); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/500, "ns/reading")
		})
	}
}
