package plugin

import (
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero/api"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/store"
)

// flatMemory is a guest memory that kv_write and kv_get_many can read.
type flatMemory struct {
	api.Memory
	b []byte
}

func (m flatMemory) Read(off, n uint32) ([]byte, bool) {
	if uint64(off)+uint64(n) > uint64(len(m.b)) {
		return nil, false
	}
	return m.b[off : off+n], true
}

func batchCall(t *testing.T, lim store.Limits) (*call, store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), "bbolt", t.TempDir(), lim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &call{txn: store.NewTxn(st, "p", lim)}, st
}

// invokeCap runs a capability over b as the guest's memory and returns its
// answer and the failure message, if any.
func invokeCap(c *call, fn func(context.Context, *call, api.Memory, []uint64), b []byte) (int32, string) {
	stack := []uint64{0, uint64(len(b))}
	fn(context.Background(), c, flatMemory{b: b}, stack)
	r := api.DecodeI32(stack[0])
	if r <= abi.HostFailed {
		return r, string(c.result)
	}
	return r, ""
}

func appendPut(b []byte, key string, value []byte) []byte {
	b = append(b, writePut)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(key)))
	b = append(b, key...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(value)))
	return append(b, value...)
}

// kv_write checks every entry as kv_put does: a value over
// store.max_value_bytes is refused naming its entry, and a write set over
// store.max_txn_bytes poisons the call's commit.
func TestKVWriteKeepsTheStoreLimits(t *testing.T) {
	c, _ := batchCall(t, store.Limits{MaxKeyBytes: 100, MaxValueBytes: 100, MaxTxnBytes: 1000})
	b := appendPut(nil, "ok", []byte("v"))
	b = appendPut(b, "big", make([]byte, 101))
	if r, msg := invokeCap(c, capKVWrite, b); r > abi.HostFailed || !strings.Contains(msg, "entry 2 of 2") || !strings.Contains(msg, "MaxValueBytes") {
		t.Errorf("a value over the limit: %d %q, want a failure naming entry 2 and the limit", r, msg)
	}
	b = nil
	for i := 0; i < 20; i++ {
		b = appendPut(b, "k"+strconv.Itoa(i), make([]byte, 90))
	}
	if r, msg := invokeCap(c, capKVWrite, b); r > abi.HostFailed || !strings.Contains(msg, "MaxTxnBytes") {
		t.Errorf("a write set over max_txn_bytes: %d %q, want a failure naming the limit", r, msg)
	}
	if err := c.txn.Commit(context.Background()); !errors.Is(err, store.ErrTxnTooLarge) {
		t.Errorf("Commit after a refused kv_write: %v, want ErrTxnTooLarge", err)
	}
}

// kv_get_many's answer is bounded by store.max_scan_bytes and 10,000 keys,
// and its reads count against store.max_txn_bytes as kv_get's do.
func TestKVGetManyIsBounded(t *testing.T) {
	c, st := batchCall(t, store.Limits{MaxValueBytes: 1000, MaxScanBytes: 2500, MaxTxnBytes: 1 << 20})
	ctx := context.Background()
	var writes []store.Write
	for i := 0; i < 3; i++ {
		writes = append(writes, store.Write{Key: "k" + strconv.Itoa(i), Value: make([]byte, 1000)})
	}
	if err := st.Apply(ctx, "p", writes); err != nil {
		t.Fatal(err)
	}
	req := func(keys ...string) []byte {
		var b []byte
		for _, k := range keys {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(k)))
			b = append(b, k...)
		}
		return b
	}
	if r, msg := invokeCap(c, capKVGetMany, req("k0", "missing", "k1")); r != 4+1000+4+4+1000 {
		t.Errorf("two values and a missing key: %d %q, want %d", r, msg, 2012)
	}
	if r, msg := invokeCap(c, capKVGetMany, req("k0", "k1", "k2")); r > abi.HostFailed || !strings.Contains(msg, "store.max_scan_bytes") {
		t.Errorf("values over max_scan_bytes: %d %q, want a failure naming the limit", r, msg)
	}
	many := make([]string, maxGetMany+1)
	for i := range many {
		many[i] = "m" + strconv.Itoa(i)
	}
	if r, msg := invokeCap(c, capKVGetMany, req(many...)); r > abi.HostFailed || !strings.Contains(msg, "more than 10000 keys") {
		t.Errorf("10,001 keys: %d %q, want a failure", r, msg)
	}
	small, _ := batchCall(t, store.Limits{MaxKeyBytes: 100, MaxValueBytes: 100, MaxTxnBytes: 270})
	if r, msg := invokeCap(small, capKVGetMany, req(many[:10]...)); r > abi.HostFailed || !strings.Contains(msg, "MaxTxnBytes") {
		t.Errorf("reads over max_txn_bytes: %d %q, want a failure naming the limit", r, msg)
	}
}

// A kv_get_many that asks for one large value 10,000 times fails at
// store.max_scan_bytes without the host copying the value 10,000 times.
func TestKVGetManyRepeatsAreBounded(t *testing.T) {
	c, st := batchCall(t, store.Limits{MaxValueBytes: 1000, MaxScanBytes: 2500, MaxTxnBytes: 1 << 20})
	if err := st.Apply(context.Background(), "p", []store.Write{{Key: "k", Value: make([]byte, 1000)}}); err != nil {
		t.Fatal(err)
	}
	var req []byte
	for range maxGetMany {
		req = binary.LittleEndian.AppendUint32(req, 1)
		req = append(req, 'k')
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, msg := invokeCap(c, capKVGetMany, req)
	runtime.ReadMemStats(&after)
	if r > abi.HostFailed || !strings.Contains(msg, "store.max_scan_bytes") {
		t.Errorf("one 1,000-byte value asked 10,000 times: %d %q, want a failure naming the limit", r, msg)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d bytes answering it", allocated)
	if allocated > 2<<20 { // copying the value for every key would be 10 MB
		t.Errorf("allocated %d bytes to refuse it", allocated)
	}
}
