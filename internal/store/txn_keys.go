package store

import (
	"strings"
	"unsafe"
)

// A Txn takes keys that may be passing views of memory the caller will
// reuse (the kv capabilities pass views of guest memory, rather than copy
// every key into a string of its own), and copies a key only when it keeps
// it: as a new entry of its writes or its reads.
//
// The copies share chunks of keyChunk bytes, one allocation per chunk
// rather than per key: records.ingest keeps 2,000 keys a call. A chunk is
// never written again where it was handed out (only its free tail is
// appended to), and every key in it stays in the Txn's maps until Discard,
// so the chunks hold what MaxTxnBytes counts for those keys plus each
// chunk's unused tail, under a quarter of it.

// keyChunk is the size of one chunk of kept keys; a key over a quarter of
// it gets an allocation of its own, so that a chunk wastes less than that.
const keyChunk = 4 << 10

// keep returns a copy of key that stays valid whatever becomes of key's
// bytes.
func (t *Txn) keep(key string) string {
	switch {
	case key == "":
		return ""
	case len(key) > keyChunk/4:
		return strings.Clone(key)
	}
	if cap(t.keys)-len(t.keys) < len(key) {
		t.keys = make([]byte, 0, keyChunk)
	}
	from := len(t.keys)
	t.keys = append(t.keys, key...)
	return unsafe.String(unsafe.SliceData(t.keys[from:]), len(key))
}
