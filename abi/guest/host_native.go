//go:build !wasip1

package guest

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// Outside wasm (go test), the capabilities run against memory: the store
// is a map, configuration comes from SetTestConfig, logs go to stderr.
var host hostCalls = &memoryHost{kv: map[string][]byte{}}

// SetTestConfig sets what Config returns in a native build; it has no
// effect inside rpchost, where configuration comes from the server.
func SetTestConfig(config map[string]any) {
	h := host.(*memoryHost)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.config = config
}

// ResetTestStore empties the in-memory store of a native build.
func ResetTestStore() {
	h := host.(*memoryHost)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.kv = map[string][]byte{}
	writes.reset()
}

type memoryHost struct {
	mu     sync.Mutex
	kv     map[string][]byte
	config map[string]any
}

func (h *memoryHost) kvGet(key string) ([]byte, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.kv[key]
	if !ok {
		return nil, false, nil
	}
	return append([]byte{}, v...), true, nil // a stored empty value is non-nil, as in wasm
}

func (h *memoryHost) kvGetMany(req []byte) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []byte
	for off := 0; off < len(req); {
		n := int(binary.LittleEndian.Uint32(req[off:]))
		v, ok := h.kv[string(req[off+4:off+4+n])]
		off += 4 + n
		if !ok {
			out = binary.LittleEndian.AppendUint32(out, 0xFFFFFFFF)
			continue
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(len(v)))
		out = append(out, v...)
	}
	return out, nil
}

// kvWrite applies a write set in kv_write's layout, in order, as the host
// does (with no limits: a native build has no configured store).
func (h *memoryHost) kvWrite(batch []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for off := 0; off < len(batch); {
		op := batch[off]
		n := int(binary.LittleEndian.Uint32(batch[off+1:]))
		key := string(batch[off+5 : off+5+n])
		off += 5 + n
		if key == "" {
			return fmt.Errorf("%w: kv_write: empty key", ErrHost)
		}
		switch op {
		case opDelete:
			delete(h.kv, key)
			continue
		case opAdd:
			delta := int64(binary.LittleEndian.Uint64(batch[off:]))
			off += 8
			if err := h.addLocked(key, delta); err != nil {
				return err
			}
			continue
		}
		n = int(binary.LittleEndian.Uint32(batch[off:]))
		h.kv[key] = append([]byte(nil), batch[off+4:off+4+n]...)
		off += 4 + n
	}
	return nil
}

// addLocked is the host's add (abi/doc.go, kv_write), applied at once:
// a native build has one call at a time and nothing to conflict with.
func (h *memoryHost) addLocked(key string, delta int64) error {
	var n int64
	if old, ok := h.kv[key]; ok {
		var err error
		if n, err = strconv.ParseInt(string(old), 10, 64); err != nil {
			return fmt.Errorf("%w: kv_write: add %d to %q: its value %q is not a decimal integer", ErrHost, delta, key, old)
		}
	}
	if delta > 0 && n > math.MaxInt64-delta || delta < 0 && n < math.MinInt64-delta {
		return fmt.Errorf("%w: kv_write: add %d to %q: %d + %d overflows int64", ErrHost, delta, key, n, delta)
	}
	if n += delta; n == 0 {
		delete(h.kv, key)
	} else {
		h.kv[key] = strconv.AppendInt(nil, n, 10)
	}
	return nil
}

func (h *memoryHost) kvScan(prefix string, limit int) ([]KV, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []KV
	for k, v := range h.kv {
		if strings.HasPrefix(k, prefix) {
			out = append(out, KV{Key: k, Value: append([]byte{}, v...)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (h *memoryHost) configGet(key string) (any, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.config[key]
	if !ok {
		return nil, false, nil
	}
	n, _, err := normalize(v, 0)
	return n, err == nil, err
}

func (h *memoryHost) now() time.Time { return time.Now() }

func (h *memoryHost) log(level int, msg string, attrs abi.Struct) {
	fmt.Fprintf(os.Stderr, "guest log level=%d msg=%q attrs=%v\n", level, msg, attrs)
}
