package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Txn buffers ONE call's writes over a Store: reads see the call's own
// writes (Get and Scan merge the write set with the store, and buffered
// deletes hide stored keys); Commit applies the whole write set with one
// Apply, and Discard drops it. Nothing reaches the store before Commit, so a
// call that faults, traps or times out leaves no trace.
//
// A Txn is not safe for concurrent use: one call is one goroutine.
//
// The keys given to Get, GetMany, Put and Delete need only stay valid for
// the length of the method: the Txn copies what it keeps (txn_keys.go).
//
// Reads are validated optimistically: a procedure sees the store as it is
// at each read, plus its own writes, and Commit writes only if no key it
// read with Get has changed since (ErrConflict otherwise, and the host runs
// the call again). A read-then-write, such as a counter, is therefore never
// lost between concurrent calls or replicas. Scans are not validated.
// Holding a snapshot for the length of a wasm call instead would pin bolt
// pages or a database connection per call; Gets share one short-lived read
// view instead (snapshot.go), at most maxSnapshotAge old.
type Txn struct {
	s Store
	// r is s without its wrappers (Unwrapper): where reads go.
	r   Store
	ns  string
	lim Limits

	// view is the shared read view of Gets, when s can give one.
	view readView

	writes map[string]pending
	// reads remembers what the call saw of each stored key it read, so
	// Commit can refuse to write over a change it did not see.
	reads map[string]Read
	// buffered is the sum of len(key)+len(value) over buffered puts: a
	// write set larger than the namespace quota could never commit, so it
	// is refused at the put.
	buffered int64
	// held is what the Txn holds for the call, as Limits.MaxTxnBytes
	// counts it: len(key)+len(value) per buffered write (a delete counts
	// its key) and len(key)+readCost per remembered read. It is what keeps
	// one call from growing host memory without bound.
	held int64
	// keys holds copies of the keys the maps keep (keep).
	keys []byte
	// tooLarge is the error of the first write refused for MaxTxnBytes:
	// the call's writes are then incomplete, and Commit refuses them even
	// if the guest ignored the error.
	tooLarge error
}

// pending is one buffered write: a put of value, or a delete (value nil;
// a put's value is never nil). key is the map's own key: assigning to an
// existing entry replaces the map's key with the one assigned (Go updates
// string keys), so Put and Delete assign with this one, which the Txn keeps,
// never with the caller's, which may be a passing view (keep).
type pending struct {
	key   string
	value []byte
	// add: the write is an Add of delta (add.go), not yet summed with the
	// stored value; value is then nil.
	add   bool
	delta int64
}

// del reports whether p is a delete.
func (p pending) del() bool { return p.value == nil && !p.add }

// NewTxn starts a write set for namespace ns over s. lim should be the
// limits s was opened with, so that Put refuses what Commit would.
func NewTxn(s Store, ns string, lim Limits) *Txn {
	return &Txn{s: s, r: innermost(s), ns: ns, lim: lim.withDefaults()}
}

// Limits are the limits the Txn enforces, defaults filled in.
func (t *Txn) Limits() Limits { return t.lim }

// Get returns the call's own write to key if there is one, else the stored
// value. The returned slice is the caller's.
func (t *Txn) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := t.lim.checkKey("get", key); err != nil {
		return nil, false, err
	}
	if err := t.settle(ctx, key); err != nil {
		return nil, false, err
	}
	if p, ok := t.writes[key]; ok {
		if p.del() {
			return nil, false, nil
		}
		return slices.Clone(p.value), true, nil
	}
	if _, seen := t.reads[key]; !seen {
		// Checked before the read: a call that cannot remember one more
		// read could not commit what it does with the value.
		if err := t.hold("get", key, t.held+int64(len(key))+readCost, false); err != nil {
			return nil, false, err
		}
	}
	v, found, err := t.read(ctx, key)
	if err == nil {
		if _, seen := t.reads[key]; !seen {
			if t.reads == nil {
				t.reads = make(map[string]Read)
			}
			key = t.keep(key)
			t.reads[key] = ReadOf(key, v)
			t.held += int64(len(key)) + readCost
		}
	}
	return v, found, err
}

// read reads key from the store, through the shared view when there is one.
func (t *Txn) read(ctx context.Context, key string) ([]byte, bool, error) {
	if sn, ok := t.r.(snapshotter); ok {
		return t.view.get(ctx, sn, t.ns, key)
	}
	return t.r.Get(ctx, t.ns, key)
}

// Put buffers a write of value to key; value is copied, so the caller may
// reuse its buffer. Key and value limits are checked here, and so are the
// namespace quota and MaxTxnBytes for the write set as a whole.
func (t *Txn) Put(key string, value []byte) error {
	if err := t.lim.checkWrite(Write{Key: key, Value: value}); err != nil {
		return err
	}
	old, had := t.writes[key] // looked up once: a call buffers thousands
	buffered := t.buffered - putSize(key, old, had) + size(key, value)
	if buffered > t.lim.MaxNamespaceBytes {
		return fmt.Errorf("put %s: the call's writes would total %d bytes, limit MaxNamespaceBytes is %d: %w",
			quote(key), buffered, t.lim.MaxNamespaceBytes, ErrQuotaExceeded)
	}
	held := t.held - writeSize(key, old, had) + size(key, value) + writeCost
	if err := t.hold("put", key, held, true); err != nil {
		return err
	}
	if t.writes == nil {
		t.writes = make(map[string]pending)
	}
	t.held = held
	if had {
		key = old.key
	} else {
		key = t.keep(key)
	}
	// append to a non-nil empty slice: an empty value stays a stored empty
	// value, never a nil that a backend could take for "no value" (or this
	// map for a delete).
	t.writes[key] = pending{key: key, value: append([]byte{}, value...)}
	t.buffered = buffered
	return nil
}

// Delete buffers a delete of key; deleting a missing key is not an error.
func (t *Txn) Delete(key string) error {
	if err := t.lim.checkKey("delete", key); err != nil {
		return err
	}
	old, had := t.writes[key]
	held := t.held - writeSize(key, old, had) + int64(len(key)) + writeCost
	if err := t.hold("delete", key, held, true); err != nil {
		return err
	}
	if t.writes == nil {
		t.writes = make(map[string]pending)
	}
	t.held = held
	t.buffered -= putSize(key, old, had)
	if had {
		key = old.key
	} else {
		key = t.keep(key)
	}
	t.writes[key] = pending{key: key}
	return nil
}

// Add buffers an addition of delta to the decimal integer stored at key
// (add.go): summed with the stored value when the call commits, without
// a read that another call's commit could conflict with. After a buffered
// put or delete of key, it adds to what that leaves, at once; a read of
// key after an Add reads the stored value (and so may conflict) and sees
// the sum.
func (t *Txn) Add(key string, delta int64) error {
	if err := t.lim.checkKey("add", key); err != nil {
		return err
	}
	old, had := t.writes[key]
	switch {
	case had && old.add:
		d, err := sumDeltas(key, old.delta, delta)
		if err != nil {
			return err
		}
		old.delta = d
		t.writes[old.key] = old // same size: nothing more held
		return nil
	case had:
		return t.putSum(key, old.value, !old.del(), delta)
	}
	held := t.held + int64(len(key)) + maxIntBytes + writeCost
	if err := t.hold("add", key, held, true); err != nil {
		return err
	}
	buffered := t.buffered + int64(len(key)) + maxIntBytes
	if buffered > t.lim.MaxNamespaceBytes {
		return fmt.Errorf("add %s: the call's writes would total %d bytes, limit MaxNamespaceBytes is %d: %w",
			quote(key), buffered, t.lim.MaxNamespaceBytes, ErrQuotaExceeded)
	}
	if t.writes == nil {
		t.writes = make(map[string]pending)
	}
	t.held = held
	t.buffered = buffered
	key = t.keep(key)
	t.writes[key] = pending{key: key, add: true, delta: delta}
	return nil
}

// putSum buffers, in place of key's buffered write, the put or delete that
// adding delta to old (found or not) comes to.
func (t *Txn) putSum(key string, old []byte, found bool, delta int64) error {
	v, del, err := sumOf(key, old, found, delta)
	if err != nil {
		return err
	}
	if del {
		return t.Delete(key)
	}
	return t.Put(key, v)
}

// settle turns a buffered Add of key into the put or delete it comes to,
// reading the stored value (remembered, as any read) so that what the call
// reads next is the sum.
func (t *Txn) settle(ctx context.Context, key string) error {
	p, ok := t.writes[key]
	if !ok || !p.add {
		return nil
	}
	// The read goes to the store: the Add is set aside meanwhile, and put
	// back as it was if the read or the sum fails (the call may still
	// commit it). Its key is the Txn's own copy, not the caller's view.
	size := writeSize(p.key, p, true)
	// The read and the put it becomes are checked against MaxTxnBytes
	// first, as a read: refused, the call's writes stand. (The put holds
	// no more than the add reserved: a sum is at most maxIntBytes long.)
	need := t.held
	if _, seen := t.reads[p.key]; !seen {
		need += int64(len(p.key)) + readCost
	}
	if err := t.hold("get", p.key, need, false); err != nil {
		return err
	}
	delete(t.writes, p.key)
	t.held -= size
	t.buffered -= putSize(p.key, p, true)
	old, found, err := t.Get(ctx, p.key)
	if err == nil {
		err = t.putSum(p.key, old, found, p.delta)
	}
	if err != nil {
		t.writes[p.key] = p
		t.held += size
		t.buffered += putSize(p.key, p, true)
	}
	return err
}

// hold refuses an operation that would take what the Txn holds to total,
// over MaxTxnBytes. A refused write is remembered for Commit (poison): the
// write set is then not what the call meant. A refused read is not: the
// guest saw the error, and what it wrote before stands.
func (t *Txn) hold(op, key string, total int64, poison bool) error {
	if total <= t.lim.MaxTxnBytes {
		return nil
	}
	err := fmt.Errorf("%s %s: the call's reads and writes would hold %d bytes, limit MaxTxnBytes (store.max_txn_bytes) is %d; write less in one call: %w",
		op, quote(key), total, t.lim.MaxTxnBytes, ErrTxnTooLarge)
	if poison && t.tooLarge == nil {
		t.tooLarge = err
	}
	return err
}

// writeSize is what a buffered write of key, p (had: there is one),
// counts in t.held.
func writeSize(key string, p pending, had bool) int64 {
	switch {
	case !had:
		return 0
	case p.del():
		return int64(len(key)) + writeCost
	case p.add:
		return int64(len(key)) + maxIntBytes + writeCost
	}
	return size(key, p.value) + writeCost
}

// putSize is what a buffered write of key, p (had: there is one), counts
// in t.buffered: a put its pair, an add its key and the longest sum, a
// delete nothing.
func putSize(key string, p pending, had bool) int64 {
	if had && p.add {
		return int64(len(key)) + maxIntBytes // at most, once summed
	}
	if had && !p.del() {
		return size(key, p.value)
	}
	return 0
}

// Scan returns up to limit pairs whose keys start with prefix, in byte order
// of key: the stored pairs, with buffered puts added or overriding and
// buffered deletes removed.
func (t *Txn) Scan(ctx context.Context, prefix string, limit int) ([]KV, error) {
	if err := t.lim.checkPrefix("scan", prefix); err != nil {
		return nil, err
	}
	for _, k := range t.sortedWrites(prefix, "") {
		if err := t.settle(ctx, k); err != nil {
			return nil, err
		}
	}
	return t.scanAfter(ctx, prefix, "", limit)
}

// scanAfter merges two sorted streams: the store's pairs, fetched a page at
// a time, and the buffered writes under prefix. A page can shrink once
// deletes hide some of its keys, so pages are fetched until limit pairs are
// found or the store has no more; buffered puts past the last key of a full
// page wait for the next page, which may hold smaller keys.
func (t *Txn) scanAfter(ctx context.Context, prefix, after string, limit int) ([]KV, error) {
	if limit <= 0 {
		return nil, nil
	}
	buf := t.sortedWrites(prefix, after)
	out := make([]KV, 0, min(limit, 64))
	var total int64 // what out holds, checked against MaxScanBytes
	// add appends a pair (cloning a buffered value, which the call may
	// still overwrite) and reports whether the scan is done: full, or over
	// MaxScanBytes (err set).
	var err error
	add := func(kv KV, buffered bool) bool {
		total += size(kv.Key, kv.Value)
		if err = t.lim.checkScan(prefix, len(out)+1, total); err != nil {
			return true
		}
		if buffered {
			kv.Value = slices.Clone(kv.Value)
		}
		out = append(out, kv)
		return len(out) == limit
	}
	result := func() ([]KV, error) {
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	cursor := after
	for {
		page, serr := t.r.Scan(ctx, t.ns, prefix, cursor, limit)
		if serr != nil {
			return nil, serr
		}
		for _, kv := range page {
			for len(buf) > 0 && buf[0] < kv.Key {
				if p := t.writes[buf[0]]; !p.del() && add(KV{buf[0], p.value}, true) {
					return result()
				}
				buf = buf[1:]
			}
			if len(buf) > 0 && buf[0] == kv.Key {
				p := t.writes[buf[0]]
				buf = buf[1:]
				if !p.del() && add(KV{kv.Key, p.value}, true) {
					return result()
				}
				continue
			}
			// The store already copied kv.Value.
			if add(kv, false) {
				return result()
			}
		}
		if len(page) < limit {
			break // the store has no more under prefix
		}
		cursor = page[len(page)-1].Key
	}
	for _, k := range buf {
		if p := t.writes[k]; !p.del() && add(KV{k, p.value}, true) {
			break
		}
	}
	return result()
}

// sortedWrites lists the buffered keys under prefix and after `after`, in
// byte order (Go compares strings bytewise).
func (t *Txn) sortedWrites(prefix, after string) []string {
	var keys []string
	for k := range t.writes {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Dirty reports whether the call has buffered any write.
func (t *Txn) Dirty() bool { return len(t.writes) > 0 }

// Commit applies the write set with one Apply: all of it, durably, or (on
// error) none of it. It is a no-op when nothing was written, so a second
// Commit after a successful one does nothing. After a failed Commit the
// write set is kept, so the caller may retry; it should Discard otherwise.
//
// A Txn that refused a write for MaxTxnBytes never commits: its write set
// is missing what the call meant to write.
func (t *Txn) Commit(ctx context.Context) error {
	t.view.close()
	if t.tooLarge != nil {
		return fmt.Errorf("nothing of the call's writes to namespace %q was kept: %w", t.ns, t.tooLarge)
	}
	if len(t.writes) == 0 {
		return nil
	}
	// Sorted, so that batches are deterministic and backends that lock
	// rows always lock them in the same order.
	keys := make([]string, 0, len(t.writes))
	for k := range t.writes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	batch := make([]Write, len(keys))
	for i, k := range keys {
		p := t.writes[k]
		batch[i] = Write{Key: k, Value: p.value, Delete: p.del(), Add: p.add, Delta: p.delta}
	}
	reads := make([]Read, 0, len(t.reads))
	for _, r := range t.reads {
		reads = append(reads, r)
	}
	if err := t.s.ApplyIf(ctx, t.ns, reads, batch); err != nil {
		return fmt.Errorf("commit %d writes to namespace %q: %w", len(batch), t.ns, err)
	}
	t.Discard()
	return nil
}

// Discard drops the write set; the Txn can be used again afterwards.
func (t *Txn) Discard() {
	t.view.close()
	t.writes = nil
	t.reads = nil
	t.keys = nil
	t.buffered = 0
	t.held = 0
	t.tooLarge = nil
}
