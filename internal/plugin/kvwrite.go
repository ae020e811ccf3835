package plugin

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"github.com/tetratelabs/wazero/api"
)

// kv_write hands the host a call's writes in one capability call: a
// sequence of entries, each a put, a delete or an add (abi/doc.go):
//
//	entry  = op:u8 key_len:u32le key [val_len:u32le val | delta:i64le]
//	op     = 0 (put, with val) | 1 (delete) | 2 (add, with delta)
//
// The entries are applied in order through the call's Txn, exactly as that
// many kv_put/kv_delete calls would be, so the same limits are checked at
// the same point (store.max_key_bytes, max_value_bytes, max_txn_bytes and
// the namespace quota, in store.Txn.Put/Delete) and the host holds no more
// than it would for those calls: the batch itself is read in place from
// guest memory, keys and values alike, and the Txn copies only what it
// keeps.

const (
	writePut    = 0
	writeDelete = 1
	writeAdd    = 2 // store.Txn.Add: a counter's increment, never a conflict
)

// errWriteSet is a batch whose framing is wrong; nothing of it is applied.
var errWriteSet = errors.New("malformed kv_write batch")

// writeEntry reads the entry at off of b and returns the offset after it.
func writeEntry(b []byte, off int) (op byte, key, value []byte, next int, err error) {
	if len(b)-off < 5 {
		return 0, nil, nil, 0, fmt.Errorf("%w: entry at byte %d: %d bytes left, an entry needs at least 5", errWriteSet, off, len(b)-off)
	}
	op = b[off]
	if op > writeAdd {
		return 0, nil, nil, 0, fmt.Errorf("%w: entry at byte %d: op %d, want 0 (put), 1 (delete) or 2 (add)", errWriteSet, off, op)
	}
	n := uint64(binary.LittleEndian.Uint32(b[off+1:]))
	off += 5
	if uint64(len(b)-off) < n {
		return 0, nil, nil, 0, fmt.Errorf("%w: key of %d bytes at byte %d runs past the batch's end", errWriteSet, n, off)
	}
	key, off = b[off:off+int(n)], off+int(n)
	switch op {
	case writeDelete:
		return op, key, nil, off, nil
	case writeAdd:
		if len(b)-off < 8 {
			return 0, nil, nil, 0, fmt.Errorf("%w: add at byte %d has no 8-byte delta", errWriteSet, off)
		}
		return op, key, b[off : off+8], off + 8, nil
	}
	if len(b)-off < 4 {
		return 0, nil, nil, 0, fmt.Errorf("%w: put at byte %d has no value length", errWriteSet, off)
	}
	n = uint64(binary.LittleEndian.Uint32(b[off:]))
	off += 4
	if uint64(len(b)-off) < n {
		return 0, nil, nil, 0, fmt.Errorf("%w: value of %d bytes at byte %d runs past the batch's end", errWriteSet, n, off)
	}
	return op, key, b[off : off+int(n)], off + int(n), nil
}

// view is b as a string without a copy, for a key the Txn reads during one
// of its methods and copies if it keeps it (store.Txn). b must not change
// while the string is in use: guest memory does not during a host call.
func view(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// stopEvery is how many entries kv_write applies between checks of the
// call's deadline: a batch of a million tiny deletes is one host call, and
// must still stop at the call's time limit.
const stopEvery = 4096

func capKVWrite(ctx context.Context, c *call, mem api.Memory, stack []uint64) {
	b, ok := read(mem, stack[0], stack[1])
	if !ok {
		stack[0] = api.EncodeI32(c.fail(fmt.Errorf("batch [%d, +%d) is outside memory", uint32(stack[0]), uint32(stack[1]))))
		return
	}
	// The framing is checked whole first, so that a malformed batch
	// applies nothing.
	entries := 0
	for off := 0; off < len(b); entries++ {
		_, _, _, next, err := writeEntry(b, off)
		if err != nil {
			stack[0] = api.EncodeI32(c.fail(err))
			return
		}
		off = next
	}
	for i, off := 0, 0; off < len(b); i++ {
		if i%stopEvery == stopEvery-1 {
			stopIfDone(ctx)
		}
		op, key, value, next, _ := writeEntry(b, off)
		off = next
		// The key is a view of guest memory, which does not change during
		// this host call: the Txn copies the keys it keeps, and Put the
		// value.
		var err error
		switch op {
		case writeDelete:
			err = c.txn.Delete(view(key))
		case writeAdd:
			err = c.txn.Add(view(key), int64(binary.LittleEndian.Uint64(value)))
		default:
			err = c.txn.Put(view(key), value) // Put copies what it keeps
		}
		if err != nil {
			// The entries before this one stay written, as the kv_put
			// calls before a failed one would.
			stack[0] = api.EncodeI32(c.fail(fmt.Errorf("entry %d of %d: %w", i+1, entries, err)))
			return
		}
	}
	stack[0] = 0
}
