package guest

import (
	"sync"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/internal/smallfmt"
)

// invokeMu serializes Invoke: the dispatcher, like a wasm instance, runs
// one call at a time.
var invokeMu sync.Mutex

// Invoke calls the registered method name the way the host does: it
// encodes a Call, runs it through the same dispatcher as rpchost_call and
// decodes the Result. It returns the result, or the *abi.Fault the client
// would get as the error. Params are converted like results (Go ints to
// int64, ...), so tests can write Invoke("add", 3, 4).
//
// It exists for native tests of a plugin: go test runs on the build
// machine, without a wasm runtime.
func Invoke(name string, params ...any) (any, error) {
	np := make([]any, len(params))
	for i, p := range params {
		n, _, err := normalize(p, 0)
		if err != nil {
			e := err.(*normalizeError)
			return nil, smallfmt.Errorf("guest.Invoke %s: param %d%s: %s", name, i+1, e.path, e.reason)
		}
		np[i] = n
	}
	in, err := abi.AppendCall(nil, name, np)
	if err != nil {
		return nil, smallfmt.Errorf("guest.Invoke %s: %w", name, err)
	}
	invokeMu.Lock()
	out := callWithWrites(nil, in)
	current = nil
	invokeMu.Unlock()
	return abi.DecodeResult(out)
}
