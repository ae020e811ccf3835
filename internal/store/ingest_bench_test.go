package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/rpchost/rpchost/internal/testutil"
)

// ingestKeys are the keys records.ingest touches for n readings
// (examples/guests/records/recordsvc/keys.go): each record and its two
// index entries. They are made once, outside the measured loop.
func ingestKeys(n int) (recs, srcs, ats []string) {
	for j := range n {
		id := fmt.Sprintf("b00000001-%03d", j)
		when := fmt.Sprintf("20240301%02d%02d17000000000", j/60%24, j%60)
		recs = append(recs, "rec/"+id)
		srcs = append(srcs, "src/boiler/"+when+"/"+id)
		ats = append(ats, "at/"+when+"/"+id)
	}
	return recs, srcs, ats
}

// ingestBatch is the store's side of one records.ingest call of n
// readings that replace the previous call's: one GetMany of the n record
// keys, then per reading 2 deletes (the old index entries) and 3 puts, then
// the two counters read and written, and the commit (one fsync).
func ingestBatch(ctx context.Context, s Store, recs, srcs, ats []string, value []byte) error {
	t := NewTxn(s, "records", Limits{})
	if _, _, err := t.GetMany(ctx, recs, DefaultLimits().MaxScanBytes); err != nil {
		return err
	}
	for j := range recs {
		if err := errors.Join(t.Delete(srcs[j]), t.Delete(ats[j]), t.Put(recs[j], value), t.Put(srcs[j], nil), t.Put(ats[j], nil)); err != nil {
			return err
		}
	}
	for _, k := range []string{"count/boiler", "total"} {
		if _, _, err := t.Get(ctx, k); err != nil {
			return err
		}
		if err := t.Put(k, []byte("500")); err != nil {
			return err
		}
	}
	return t.Commit(ctx)
}

// wrapped is a Store seen through a wrapper that only overrides ApplyIf, as
// the host's metrics wrapper does.
type wrapped struct{ Store }

func (w wrapped) ApplyIf(ctx context.Context, ns string, reads []Read, batch []Write) error {
	return w.Store.ApplyIf(ctx, ns, reads, batch)
}

func (w wrapped) Unwrap() Store { return w.Store }

// BenchmarkTxnIngest is the host's share of records.ingest of 500 readings
// on bbolt (BenchmarkIngestBatch in host/ without the guest and the XML):
// per op, one call's GetMany, 2,500 buffered writes and the commit.
// "direct" is the bare store, "wrapped" the store behind a wrapper as host/
// wraps it; "changed" writes values that differ from the stored ones every
// time (the others replace readings with the same values, as host's
// benchmark and bench's ingest do, which bbolt's ApplyIf skips).
func BenchmarkTxnIngest(b *testing.B) {
	for _, c := range []struct {
		name          string
		wrap, changed bool
	}{{"direct", false, false}, {"wrapped", true, false}, {"changed", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			var s Store
			s, err := Open(ctx, "bbolt", b.TempDir(), Limits{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if c.wrap {
				s = wrapped{s}
			}
			value := make([]byte, 60)
			recs, srcs, ats := ingestKeys(500)
			if err := ingestBatch(ctx, s, recs, srcs, ats, value); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu := testutil.CPUTime()
			n := uint64(0)
			for b.Loop() {
				if c.changed {
					n++
					binary.BigEndian.PutUint64(value, n)
				}
				if err := ingestBatch(ctx, s, recs, srcs, ats, value); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time rather than ns/op: most of a batch's wall time is
			// the fsync's wait, which costs no CPU.
			b.ReportMetric(float64((testutil.CPUTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
