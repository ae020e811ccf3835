package store

import (
	"fmt"
	"math"
	"strconv"
)

// An Add is a counter's increment that does not read the counter: Write
// with Add set adds Delta to the decimal integer stored at Key (an absent
// key counts as 0), in the store, inside the transaction that applies the
// batch, and a sum of 0 deletes the key. Nothing of it is remembered as
// a read, so two calls that add to the same counter at once do not
// conflict: both additions count. A read-then-put of the same counter
// conflicts instead, and the host runs one of the calls again, all of
// it: a records.ingest of 500 readings that bumped its source's count was
// run about twice on average at 4 connections (102 conflicts in 133
// calls), for two keys every call shares.
//
// Values are written as strconv.FormatInt writes them; any value that
// strconv.ParseInt(v, 10, 64) reads is accepted, and anything else, or a
// sum past int64, fails the commit with ErrNotInteger.

// maxIntBytes is the longest decimal int64, "-9223372036854775808": what
// an Add may grow a value to, for the quota's estimate before the commit.
const maxIntBytes = 20

// sumOf is the value an Add of delta to old (found or not) leaves: the new
// value, or del when the sum is 0.
func sumOf(key string, old []byte, found bool, delta int64) (value []byte, del bool, err error) {
	var n int64
	if found {
		n, err = strconv.ParseInt(string(old), 10, 64)
		if err != nil {
			return nil, false, fmt.Errorf("add %d to %s: its value %s is not a decimal integer: %w",
				delta, quote(key), quote(string(old[:min(len(old), 40)])), ErrNotInteger)
		}
	}
	if n, err = sumDeltas(key, n, delta); err != nil {
		return nil, false, err
	}
	if n == 0 {
		return nil, true, nil
	}
	return strconv.AppendInt(nil, n, 10), false, nil
}

// settled is w with an Add turned into the put or delete it comes to over
// the stored old value; any other write is returned as it is.
func (w Write) settled(old []byte, found bool) (Write, error) {
	if !w.Add {
		return w, nil
	}
	v, del, err := sumOf(w.Key, old, found, w.Delta)
	if err != nil {
		return Write{}, err
	}
	return Write{Key: w.Key, Value: v, Delete: del}, nil
}

// sumDeltas is a + b, or ErrNotInteger if that overflows int64.
func sumDeltas(key string, a, b int64) (int64, error) {
	if b > 0 && a > math.MaxInt64-b || b < 0 && a < math.MinInt64-b {
		return 0, fmt.Errorf("add %d to %s: %d + %d overflows int64: %w", b, quote(key), a, b, ErrNotInteger)
	}
	return a + b, nil
}
