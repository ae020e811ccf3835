//go:build !wasip1

package guest

import (
	"fmt"
	"os"
	"sort"
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
	return append([]byte(nil), v...), ok, nil
}

func (h *memoryHost) kvPut(key string, value []byte) error {
	if key == "" {
		return fmt.Errorf("%w: kv_put: empty key", ErrHost)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.kv[key] = append([]byte(nil), value...)
	return nil
}

func (h *memoryHost) kvDelete(key string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.kv, key)
	return nil
}

func (h *memoryHost) kvScan(prefix string, limit int) ([]KV, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []KV
	for k, v := range h.kv {
		if strings.HasPrefix(k, prefix) {
			out = append(out, KV{Key: k, Value: append([]byte(nil), v...)})
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
