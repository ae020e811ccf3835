package plugin

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/store"
	"github.com/rpchost/rpchost/internal/testutil"
)

// BenchmarkKVIngestCaps is the capabilities' side of records.ingest of 500
// readings replacing the stored ones, on bbolt: one kv_get_many of the 500
// record keys, one kv_write of 2,500 entries (per reading: 2 deletes, 3
// puts), and the commit, with the keys and values read from "guest memory"
// as the capabilities read them.
func BenchmarkKVIngestCaps(b *testing.B) {
	st, err := store.Open(context.Background(), "bbolt", b.TempDir(), store.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var get, write []byte
	value := make([]byte, 60)
	for j := range 500 {
		id := fmt.Sprintf("b00000001-%03d", j)
		when := fmt.Sprintf("20240301%02d%02d17000000000", j/60%24, j%60)
		rec, src, at := "rec/"+id, "src/boiler/"+when+"/"+id, "at/"+when+"/"+id
		get = binary.LittleEndian.AppendUint32(get, uint32(len(rec)))
		get = append(get, rec...)
		for _, k := range []string{src, at} {
			write = append(write, writeDelete)
			write = binary.LittleEndian.AppendUint32(write, uint32(len(k)))
			write = append(write, k...)
		}
		write = appendPut(write, rec, value)
		write = appendPut(write, src, nil)
		write = appendPut(write, at, nil)
	}
	batch := func() {
		c := &call{txn: store.NewTxn(st, "p", store.Limits{})}
		if r, msg := invokeCap(c, capKVGetMany, get); r <= abi.HostFailed {
			b.Fatal(msg)
		}
		if r, msg := invokeCap(c, capKVWrite, write); r != 0 {
			b.Fatal(r, msg)
		}
		if err := c.commit(context.Background(), true); err != nil {
			b.Fatal(err)
		}
	}
	batch()
	b.ReportAllocs()
	cpu := testutil.CPUTime()
	for b.Loop() {
		batch()
	}
	b.ReportMetric(float64((testutil.CPUTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}
