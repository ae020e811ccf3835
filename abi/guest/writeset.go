package guest

import (
	"encoding/binary"

	"github.com/rpchost/rpchost/abi"
)

// A call's KVPut and KVDelete are not host calls: they are recorded in a
// write set in guest memory, in kv_write's layout (abi/doc.go), and handed
// to the host in one kv_write when the handler returns a result, before
// the Result is written. On records.ingest that is one host call per
// request instead of three to five per reading.
//
// A read (KVGet, KVGetMany, KVScan) hands the pending set over first and
// lets the host answer: the host's transaction already merges a call's
// writes with the store, so a call still reads its own writes. Answering
// from the set in the guest instead would need an index of its keys, a map
// insert per write in wasm that costs about what the host call it saves
// (RATIONALE.md). A read after k writes costs one kv_write instead of k
// kv_put calls, so no pattern makes more host calls than before, and a
// procedure that reads first and writes after (records.ingest with
// KVGetMany) makes one kv_write per call. The set is also handed over
// when it reaches flushBytes, so that the guest's memory for it stays
// bounded and a write set the host will refuse (store.max_txn_bytes) is
// refused early. The host checks every entry at kv_write exactly as it
// checks kv_put, so a guest cannot make it hold more than before.
//
// A failed hand-over leaves the host with part of the set, so the call can
// no longer keep a consistent state: every later write fails, and the call
// ends with fault codeStorage whatever the handler returns.

// flushBytes is the size at which a write set is handed over before the
// call ends.
const flushBytes = 1 << 20

// keepWriteSet is the capacity above which the set's buffer is dropped
// rather than kept for the next call.
const keepWriteSet = flushBytes + 64<<10

// codeStorage is rpchost's fault for a call whose writes could not be kept
// (host.CodeStorage, README "Faults").
const codeStorage = -32008

// writeSet is the pending writes of the call in progress.
type writeSet struct {
	mu  writeLock // see writeset_lock_*.go
	buf []byte    // entries in kv_write's layout
	// send hands buf to the host. Only a write sets it: were the end of
	// every call to name kv_write directly, the linker would keep the
	// import in every module, and a plugin that never writes would need
	// the "kv" grant and a store to load.
	send func(batch []byte) error
	// failed is the error of a hand-over the host refused; it sticks for
	// the rest of the call.
	failed error
}

// writes is the write set of the call in progress: the dispatcher, like a
// wasm instance, runs one call at a time.
var writes writeSet

const (
	opPut    = 0
	opDelete = 1
	opAdd    = 2
)

// put and delete unlock by hand rather than with defer: in wasm a
// deferred call is one more function call per write.
func (w *writeSet) put(key string, value []byte) error {
	w.mu.Lock()
	err := w.putLocked(key, value)
	w.mu.Unlock()
	return err
}

func (w *writeSet) putLocked(key string, value []byte) error {
	if w.failed != nil {
		return w.failed
	}
	if key == "" {
		return hostError("kv_put", "put: empty key")
	}
	w.record(opPut, key, value)
	return w.flushIfFull()
}

func (w *writeSet) delete(key string) error {
	w.mu.Lock()
	err := w.deleteLocked(key)
	w.mu.Unlock()
	return err
}

func (w *writeSet) deleteLocked(key string) error {
	if w.failed != nil {
		return w.failed
	}
	if key == "" {
		return hostError("kv_delete", "delete: empty key")
	}
	w.record(opDelete, key, nil)
	return w.flushIfFull()
}

func (w *writeSet) add(key string, delta int64) error {
	w.mu.Lock()
	err := w.addLocked(key, delta)
	w.mu.Unlock()
	return err
}

func (w *writeSet) addLocked(key string, delta int64) error {
	if w.failed != nil {
		return w.failed
	}
	if key == "" {
		return hostError("kv_write", "add: empty key")
	}
	w.send = sendWrites
	w.buf = append(w.buf, opAdd)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(len(key)))
	w.buf = append(w.buf, key...)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(delta))
	return w.flushIfFull()
}

// record appends an entry. Lengths over 4 GiB cannot occur in wasm32,
// whose whole memory is 4 GiB.
func (w *writeSet) record(op byte, key string, value []byte) {
	w.send = sendWrites
	w.buf = append(w.buf, op)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(len(key)))
	w.buf = append(w.buf, key...)
	if op == opPut {
		w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(len(value)))
		w.buf = append(w.buf, value...)
	}
}

func (w *writeSet) flushIfFull() error {
	if len(w.buf) < flushBytes {
		return nil
	}
	return w.flushLocked()
}

// flush hands the pending writes to the host.
func (w *writeSet) flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *writeSet) flushLocked() error {
	if w.failed != nil {
		return w.failed
	}
	if len(w.buf) == 0 {
		return nil
	}
	err := w.send(w.buf)
	w.clear()
	if err != nil {
		w.failed = err
	}
	return err
}

// sendWrites is writeSet.send: kv_write.
func sendWrites(batch []byte) error { return host.kvWrite(batch) }

// clear empties the set, keeping its memory unless it grew large.
func (w *writeSet) clear() {
	if cap(w.buf) > keepWriteSet {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
}

// reset forgets everything, for the start and end of a call: a call that
// faulted leaves nothing to the next one.
func (w *writeSet) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.clear()
	w.failed = nil
}

// callWithWrites runs one call through the dispatcher between two resets
// of the write set, and hands the set over when the call returned a
// result; if the host refuses it, the Result becomes fault codeStorage.
func callWithWrites(dst, in []byte) []byte {
	start := len(dst)
	out := std.call(dst, in)
	// Most calls write nothing: they take no lock and make no call more.
	// (Every call ends with the set empty and not failed, so none starts
	// with another's; a lock, even uncontended, and a function call cost
	// tens of nanoseconds each in wasm, a fifth of add's whole dispatch.)
	if !writes.touched() {
		return out
	}
	if succeeded(out[start:]) {
		if err := writes.flush(); err != nil {
			out = abi.AppendFaultResult(out[:start], &abi.Fault{Code: codeStorage,
				Message: "the call's writes were refused, and none were kept: " + err.Error()})
		}
	}
	writes.reset()
	return out
}

// touched reports whether the call wrote or failed to: an unlocked look,
// for the end of a call, when no other goroutine of the call writes.
func (w *writeSet) touched() bool { return len(w.buf) != 0 || w.failed != nil }

// succeeded reports whether a Result is a success: abi.AppendResult starts
// every one with the same two bytes, an array of two and StatusOK.
func succeeded(result []byte) bool {
	return len(result) >= 2 && result[0] == 0x92 && result[1] == abi.StatusOK
}

// KVFlush hands this call's pending writes to the host now, and reports
// whether it kept them. Writes are otherwise handed over when the handler
// returns a result, and a write the host refuses (a key or value over the
// store's limits, a call writing more than store.max_txn_bytes) then fails
// the call with fault -32008; a handler that wants to react to a refused
// write calls KVFlush after it. After a failed KVFlush the call can keep
// none of its writes: later writes fail too.
func KVFlush() error { return writes.flush() }
