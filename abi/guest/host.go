package guest

import (
	"errors"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/internal/smallfmt"
)

// The host capabilities of ABI v1 (see package abi): logging, the plugin's
// own key-value store, its configuration and the time. Inside rpchost they
// call the host; in a native build (go test) they run against an in-memory
// stand-in, so procedures can be unit-tested without a server.

// KV is one key-value pair of the plugin's store.
type KV struct {
	Key   string
	Value []byte
}

// ErrHost is wrapped by every error a host capability returns.
var ErrHost = errors.New("rpchost")

// KVGet reads a key of this plugin's store. Reads see the call's own
// writes. A stored empty value is an empty, non-nil slice with found true.
func KVGet(key string) (value []byte, found bool, err error) {
	if err := writes.flush(); err != nil {
		return nil, false, err
	}
	return host.kvGet(key)
}

// KVPut writes a key. The write is committed only if the call succeeds:
// returning an error, panicking or timing out discards every write of the
// call. The host checks the write against the store's limits when the
// call's writes are handed over (see KVFlush), not here; value is copied,
// so the caller may reuse it. Writes made outside a call (in init) are
// dropped.
func KVPut(key string, value []byte) error { return writes.put(key, value) }

// KVDelete removes a key; deleting a missing key is not an error.
func KVDelete(key string) error { return writes.delete(key) }

// KVAdd adds delta to the counter stored at key: a decimal integer, as
// strconv.FormatInt writes it (a missing key counts as 0, and a sum of 0
// deletes the key). The host sums it with the stored value when the call
// commits, without the call reading it, so calls adding to one counter at
// the same time never conflict, where a KVGet then KVPut of the counter
// makes the host run one of them again, all of it. A KVGet of key after
// KVAdd in the same call reads the stored value (and conflicts as any
// read would) and sees the sum. A stored value that is not a decimal
// int64, or a sum past int64, fails the call with fault -32008.
func KVAdd(key string, delta int64) error { return writes.add(key, delta) }

// KVScan lists up to limit pairs whose keys start with prefix, in key order.
// The host returns at most 10,000 pairs per scan; a negative limit lists
// none. Page through more with a prefix or a key range. The scan sees the
// call's own writes: they are handed over first (KVFlush).
func KVScan(prefix string, limit int) ([]KV, error) {
	if err := writes.flush(); err != nil {
		return nil, err
	}
	return host.kvScan(prefix, scanLimit(limit))
}

// maxScan is the most pairs the host returns from one kv_scan (abi/doc.go).
const maxScan = 10000

// scanLimit clamps a scan's limit to what kv_scan can be asked for, the
// same in a native build as in wasm, where it must fit an i32.
func scanLimit(limit int) int { return min(max(limit, 0), maxScan) }

// Config returns plugin.<name>.config.<key> from rpchost's configuration.
func Config(key string) (value any, found bool, err error) { return host.configGet(key) }

// Now returns the host's time (the WASI clock inside rpchost is fake).
func Now() time.Time { return host.now() }

// Log levels, as log/slog numbers them.
const (
	LevelDebug = -4
	LevelInfo  = 0
	LevelWarn  = 4
	LevelError = 8
)

// Log writes to the server's log, tagged with the plugin and the method.
// args are key-value pairs, as with log/slog: Log(LevelInfo, "stored", "n", 3).
// A value that Register would accept as a result is logged as that value;
// any other is printed as fmt.Sprint would print it, through its Error or
// String method if it has one, but without package fmt (see abi.Faultf):
// a struct or pointer with neither method is logged as %!v(its type).
func Log(level int, msg string, args ...any) {
	attrs := make(abi.Struct, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		v, _, err := normalize(args[i+1], 0)
		if err != nil {
			v = smallfmt.Sprint(args[i+1])
		}
		attrs = append(attrs, abi.Member{Name: smallfmt.Sprint(args[i]), Value: v})
	}
	if len(args)%2 == 1 {
		attrs = append(attrs, abi.Member{Name: "!BADKEY", Value: smallfmt.Sprint(args[len(args)-1])})
	}
	host.log(level, msg, attrs)
}

// hostCalls is what the capabilities need from wherever the guest runs.
type hostCalls interface {
	kvGet(key string) ([]byte, bool, error)
	// kvGetMany answers a request in kv_get_many's layout (abi/doc.go).
	kvGetMany(req []byte) ([]byte, error)
	// kvWrite applies a write set in kv_write's layout (abi/doc.go).
	kvWrite(batch []byte) error
	kvScan(prefix string, limit int) ([]KV, error)
	configGet(key string) (any, bool, error)
	now() time.Time
	log(level int, msg string, attrs abi.Struct)
}

// hostError is the error of a host capability: "rpchost: op: reason",
// wrapping ErrHost.
func hostError(op, reason string) error {
	return smallfmt.Wrap(ErrHost.Error()+": "+op+": "+reason, ErrHost)
}

// decodeScan reads kv_scan's result: an array of [key, value] pairs.
func decodeScan(b []byte) ([]KV, error) {
	v, rest, err := abi.DecodeValue(b)
	if err == nil && len(rest) != 0 {
		err = errors.New("trailing bytes")
	}
	if err != nil {
		return nil, hostError("kv_scan result", err.Error())
	}
	pairs, _ := v.([]any)
	out := make([]KV, 0, len(pairs))
	for _, p := range pairs {
		kv, ok := p.([]any)
		if !ok || len(kv) != 2 {
			return nil, hostError("kv_scan result", "want [key, value] pairs")
		}
		k, kok := kv[0].(string)
		val, vok := kv[1].([]byte)
		if !kok || !vok {
			return nil, hostError("kv_scan result", "want [str, bin] pairs")
		}
		out = append(out, KV{Key: k, Value: val})
	}
	return out, nil
}
