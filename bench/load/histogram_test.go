package load

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverEveryValueOnce(t *testing.T) {
	values := []uint64{0, 1, 255, 256, 257, 511, 512, 1000, 123456789, 1 << 40, math.MaxUint64}
	for _, v := range values {
		i := bucketOf(v)
		if i < 0 || i >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d, outside [0, %d)", v, i, numBuckets)
		}
		lo, hi := bucketRange(i)
		if v < lo || v > hi {
			t.Errorf("bucketOf(%d) = %d, whose range [%d, %d] does not hold it", v, i, lo, hi)
		}
		if width := hi - lo; v >= subCount && float64(width) > float64(lo)/halfCount {
			t.Errorf("bucket %d [%d, %d] is wider than 1/%d of its values", i, lo, hi, halfCount)
		}
	}
	// Consecutive buckets tile the line.
	for i := 1; i < numBuckets; i++ {
		_, prevHi := bucketRange(i - 1)
		lo, _ := bucketRange(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, bucket %d ends at %d", i, lo, i-1, prevHi)
		}
	}
}

// exactPercentile is the nearest-rank percentile of sorted samples.
func exactPercentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func TestPercentileMatchesSortedSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var samples []time.Duration
	h := NewHistogram()
	for range 100_000 {
		// Log-normal-ish latencies from about 10 µs to 100 ms.
		d := time.Duration(math.Exp(rng.NormFloat64()*1.5 + math.Log(200e3)))
		samples = append(samples, d)
		h.Record(d)
	}
	slices.Sort(samples)
	for _, p := range []float64{0, 1, 50, 90, 99, 99.9, 100} {
		got, want := h.Percentile(p), exactPercentile(samples, p)
		if diff := math.Abs(float64(got-want)) / float64(want); diff > 0.004 {
			t.Errorf("p%v = %v, sorted samples say %v (%.2f%% off)", p, got, want, diff*100)
		}
	}
	if h.Min() != samples[0] || h.Max() != samples[len(samples)-1] {
		t.Errorf("min, max = %v, %v; want %v, %v", h.Min(), h.Max(), samples[0], samples[len(samples)-1])
	}
	if h.Count() != uint64(len(samples)) {
		t.Errorf("count = %d, want %d", h.Count(), len(samples))
	}
}

func TestPercentileSmallCounts(t *testing.T) {
	h := NewHistogram()
	if h.Percentile(50) != 0 || h.Min() != 0 || h.Max() != 0 || h.Mean() != 0 {
		t.Fatal("an empty histogram reports nonzero values")
	}
	for _, d := range []time.Duration{100, 200, 300, 400} {
		h.Record(d) // below 256 ns, buckets are exact
	}
	for p, want := range map[float64]time.Duration{0: 100, 25: 100, 26: 200, 50: 200, 75: 300, 99: 400, 100: 400} {
		if got := h.Percentile(p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if h.Mean() != 250 {
		t.Errorf("mean = %v, want 250ns", h.Mean())
	}
}

func TestMerge(t *testing.T) {
	a, b, all := NewHistogram(), NewHistogram(), NewHistogram()
	for i := range 1000 {
		d := time.Duration(i) * time.Microsecond
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(b)
	for _, p := range []float64{1, 50, 99, 100} {
		if a.Percentile(p) != all.Percentile(p) {
			t.Errorf("merged p%v = %v, want %v", p, a.Percentile(p), all.Percentile(p))
		}
	}
	if a.Count() != all.Count() || a.Min() != all.Min() || a.Max() != all.Max() || a.Mean() != all.Mean() {
		t.Errorf("merged summary differs: %d %v %v %v vs %d %v %v %v",
			a.Count(), a.Min(), a.Max(), a.Mean(), all.Count(), all.Min(), all.Max(), all.Mean())
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	h := NewHistogram()
	if n := testing.AllocsPerRun(1000, func() { h.Record(1234567) }); n != 0 {
		t.Errorf("Record allocates %v times", n)
	}
}
