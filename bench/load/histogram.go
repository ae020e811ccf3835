package load

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: each power of two is split into
// 2^(subBits-1) buckets, so a bucket is at most 1/128 of its values wide and
// a reported percentile (a bucket's midpoint) is within 0.4% of the truth.
const subBits = 8

const (
	subCount   = 1 << subBits // values below this have a bucket each
	halfCount  = subCount / 2 // buckets per power of two above that
	numBuckets = subCount + (64-subBits)*halfCount
)

// Histogram counts durations in log-linear buckets, as HdrHistogram does:
// exact below 256 ns, then 128 buckets per power of two, from nanoseconds
// to centuries in a fixed 60 KB. Recording is a few instructions and never
// allocates. A Histogram is not safe for concurrent use: give each
// goroutine its own and Merge them.
type Histogram struct {
	counts   [numBuckets]uint64
	n        uint64
	sum      float64 // nanoseconds, for the mean
	min, max uint64
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{min: math.MaxUint64} }

// bucketOf returns the bucket holding v nanoseconds.
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits // >= 1
	top := v >> shift                // in [halfCount, subCount)
	return subCount + (shift-1)*halfCount + int(top-halfCount)
}

// bucketRange returns the smallest and largest values of bucket i.
func bucketRange(i int) (lo, hi uint64) {
	if i < subCount {
		return uint64(i), uint64(i)
	}
	shift := (i-subCount)/halfCount + 1
	top := uint64((i-subCount)%halfCount + halfCount)
	return top << shift, (top+1)<<shift - 1
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)]++
	h.n++
	h.sum += float64(v)
	h.min = min(h.min, v)
	h.max = max(h.max, v)
}

// Merge adds every count of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// Count is the number of durations recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Min and Max are exact; they are 0 for an empty histogram.
func (h *Histogram) Min() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.min)
}

// Max is the largest duration recorded, exactly.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean is the exact mean.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Percentile returns the duration below or at which p percent of the
// recorded durations lie (the nearest-rank definition: the value of rank
// ceil(p/100 × count)), to the bucket's precision, clamped to the exact
// min and max. It returns 0 for an empty histogram.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p / 100 * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketRange(i)
			mid := lo + (hi-lo)/2
			return time.Duration(min(max(mid, h.min), h.max))
		}
	}
	return time.Duration(h.max) // unreachable: the counts add up to n
}
