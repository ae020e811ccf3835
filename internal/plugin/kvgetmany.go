package plugin

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/tetratelabs/wazero/api"
)

// kv_get_many reads many keys in one capability call (abi/doc.go):
//
//	request = (key_len:u32le key)*
//	result  = (0xFFFFFFFF | val_len:u32le val)*   one per key, in order
//
// Each key is read through the call's Txn as kv_get reads it (its own
// writes first, the read remembered for the commit's conflict check,
// store.max_txn_bytes counting it), but the keys it has not written are
// read together (store.Txn.GetMany: one query on PostgreSQL). The answer
// is bounded like a scan's: at most maxGetMany keys, and values totalling
// at most store.max_scan_bytes.

// maxGetMany caps the keys of one kv_get_many, as maxScan caps a scan.
const maxGetMany = maxScan

// notFound marks an absent key in kv_get_many's answer.
const notFound = 0xFFFFFFFF

func capKVGetMany(ctx context.Context, c *call, mem api.Memory, stack []uint64) {
	b, ok := read(mem, stack[0], stack[1])
	if !ok {
		stack[0] = api.EncodeI32(c.fail(fmt.Errorf("keys [%d, +%d) are outside memory", uint32(stack[0]), uint32(stack[1]))))
		return
	}
	var keys []string
	for off := 0; off < len(b); {
		if len(keys) == maxGetMany {
			stack[0] = api.EncodeI32(c.fail(fmt.Errorf("more than %d keys in one kv_get_many", maxGetMany)))
			return
		}
		if len(b)-off < 4 || uint64(len(b)-off-4) < uint64(binary.LittleEndian.Uint32(b[off:])) {
			stack[0] = api.EncodeI32(c.fail(fmt.Errorf("malformed kv_get_many request: key %d at byte %d runs past its end", len(keys)+1, off)))
			return
		}
		n := int(binary.LittleEndian.Uint32(b[off:]))
		keys = append(keys, view(b[off+4:off+4+n])) // the Txn copies the keys it keeps
		off += 4 + n
	}
	// One read of the store for every key the call has not written (one
	// query on PostgreSQL), each remembered as kv_get remembers it.
	maxBytes := c.txn.Limits().MaxScanBytes
	values, found, err := c.txn.GetMany(ctx, keys, maxBytes)
	if err != nil {
		stack[0] = api.EncodeI32(c.fail(err))
		return
	}
	out := c.result[:0]
	var total int64
	for i, v := range values {
		if !found[i] {
			out = binary.LittleEndian.AppendUint32(out, notFound)
			continue
		}
		if total += int64(len(keys[i])) + int64(len(v)); total > maxBytes {
			stack[0] = api.EncodeI32(c.fail(fmt.Errorf("the first %d keys' values total %d bytes, limit store.max_scan_bytes is %d; ask for fewer keys",
				i+1, total, maxBytes)))
			return
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(len(v)))
		out = append(out, v...)
	}
	c.result = out
	stack[0] = api.EncodeI32(int32(len(out)))
}
