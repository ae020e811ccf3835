package plugin

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/store"
)

// The host capabilities of ABI v1 (abi/doc.go): module "rpchost", giving a
// guest logging, its own key-value namespace, its configuration and the
// time. Each capability reads the call it serves from the context wazero
// passes through, so the functions are shared by every plugin.

type callKey struct{}

// call is what the capabilities know about the call in progress.
type call struct {
	plugin  *Plugin
	method  string
	txn     *store.Txn // nil when the plugin does not use the store
	result  []byte     // the result slot
	attempt int        // 1, or more when a write conflict ran the call again
}

func callOf(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// answer puts b in the result slot and returns its length.
func (c *call) answer(b []byte) int32 {
	c.result = append(c.result[:0], b...)
	return int32(len(c.result))
}

// fail puts a message in the result slot and returns the failure code
// that tells its length.
func (c *call) fail(err error) int32 {
	msg := cutUTF8(err.Error(), maxFailMessage)
	c.result = append(c.result[:0], msg...)
	return int32(abi.HostFailed - len(c.result))
}

// maxFailMessage bounds a capability's failure message (a key or value a
// guest chose can be quoted in it).
const maxFailMessage = 4096

// cutUTF8 cuts s to at most n bytes without splitting a character, so that
// a cut message is still valid UTF-8 and no U+FFFD appears at its end.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// maxScan caps the pairs one kv_scan returns; guests page by prefix.
const maxScan = 10000

var (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// capability is one host function of module "rpchost".
type capability struct {
	name            string
	params, results []api.ValueType
	fn              func(ctx context.Context, c *call, mem api.Memory, stack []uint64)
}

var capabilities = []capability{
	{"log", []api.ValueType{i32, i32}, nil, capLog},
	{"kv_get", []api.ValueType{i32, i32}, []api.ValueType{i32}, capKVGet},
	{"kv_put", []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}, capKVPut},
	{"kv_delete", []api.ValueType{i32, i32}, []api.ValueType{i32}, capKVDelete},
	{"kv_scan", []api.ValueType{i32, i32, i32}, []api.ValueType{i32}, capKVScan},
	{"kv_get_many", []api.ValueType{i32, i32}, []api.ValueType{i32}, capKVGetMany},
	{"kv_write", []api.ValueType{i32, i32}, []api.ValueType{i32}, capKVWrite},
	{"config_get", []api.ValueType{i32, i32}, []api.ValueType{i32}, capConfigGet},
	{"time_now", nil, []api.ValueType{i64}, capTimeNow},
	{"result_read", []api.ValueType{i32}, nil, capResultRead},
}

// instantiateCapabilities adds module "rpchost" to a wazero runtime.
func instantiateCapabilities(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(abi.HostModule)
	for _, cp := range capabilities {
		fn := cp.fn
		b = b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
			// A guest calling capabilities in a loop (or one slow
			// capability) stops at its deadline like a guest loop does.
			stopIfDone(ctx)
			c := callOf(ctx)
			if c == nil { // called from _initialize: no call to serve
				if len(stack) > 0 {
					stack[0] = api.EncodeI32(abi.HostFailed)
				}
				return
			}
			fn(ctx, c, mod.Memory(), stack)
		}), cp.params, cp.results).Export(cp.name)
	}
	_, err := b.Instantiate(ctx)
	return err
}

// checkCapabilities finds, at load, every import of module "rpchost"
// that ABI v1 lacks (the module cannot be instantiated: unknown) or that
// the plugin was not granted or has no store for (refused by the
// settings: denied), and reports whether the plugin uses the store.
func checkCapabilities(imports []api.FunctionDefinition, grants []string, haveStore bool) (usesHost, usesStore bool, unknown, denied []error) {
	for _, fn := range imports {
		mod, name, _ := fn.Import()
		if mod != abi.HostModule {
			continue
		}
		usesHost = true
		grant, ok := abi.HostGrant(name)
		if !ok {
			known := make([]string, 0, len(capabilities))
			for _, cp := range capabilities {
				known = append(known, cp.name)
			}
			unknown = append(unknown, fmt.Errorf("imports %s.%s, which ABI v%d does not have (it has %s)", mod, name, abi.Version, strings.Join(known, ", ")))
			continue
		}
		if grant != "" && !slices.Contains(grants, grant) {
			denied = append(denied, fmt.Errorf("imports %s.%s, which needs the %q grant, and the plugin is granted only %v (plugin.<name>.grants)", mod, name, grant, grants))
			continue
		}
		if grant == "kv" {
			if !haveStore {
				denied = append(denied, fmt.Errorf("imports %s.%s, but no store is configured (store.driver)", mod, name))
				continue
			}
			usesStore = true
		}
	}
	return usesHost, usesStore, unknown, denied
}

func read(mem api.Memory, ptr, n uint64) ([]byte, bool) {
	return mem.Read(uint32(ptr), uint32(n))
}

func readString(mem api.Memory, ptr, n uint64) (string, error) {
	b, ok := read(mem, ptr, n)
	if !ok {
		return "", fmt.Errorf("[%d, +%d) is outside memory", uint32(ptr), uint32(n))
	}
	return string(b), nil
}

// maxLogMessage bounds one log message as the guest encodes it: a line
// of the server's log, not a way to make the host decode 60 MiB.
const maxLogMessage = 64 << 10

func capLog(ctx context.Context, c *call, mem api.Memory, stack []uint64) {
	if n := uint32(stack[1]); n > maxLogMessage {
		c.plugin.logger.Warn("guest log: message too large", "method", c.method, "bytes", n, "limit", maxLogMessage)
		return
	}
	b, ok := read(mem, stack[0], stack[1])
	if !ok {
		return
	}
	v, _, err := abi.DecodeValue(b)
	msg, ok := v.([]any)
	if err != nil || !ok || len(msg) != 3 {
		c.plugin.logger.Warn("guest log: malformed message", "method", c.method)
		return
	}
	level, _ := msg[0].(int64)
	text, _ := msg[1].(string)
	attrs := []slog.Attr{slog.String("method", c.method)}
	if c.attempt > 1 {
		// The earlier attempts' lines were logged too, but their writes were
		// discarded: this marks which run the lines belong to.
		attrs = append(attrs, slog.Int("attempt", c.attempt))
	}
	if s, ok := msg[2].(abi.Struct); ok {
		for _, m := range s {
			attrs = append(attrs, slog.Any(m.Name, m.Value))
		}
	}
	c.plugin.logger.LogAttrs(ctx, slog.Level(level), text, attrs...)
}

func capKVGet(ctx context.Context, c *call, mem api.Memory, stack []uint64) {
	key, err := readString(mem, stack[0], stack[1])
	if err != nil {
		stack[0] = api.EncodeI32(c.fail(err))
		return
	}
	v, found, err := c.txn.Get(ctx, key)
	switch {
	case err != nil:
		stack[0] = api.EncodeI32(c.fail(err))
	case !found:
		stack[0] = api.EncodeI32(abi.HostNotFound)
	default:
		stack[0] = api.EncodeI32(c.answer(v))
	}
}

func capKVPut(_ context.Context, c *call, mem api.Memory, stack []uint64) {
	key, err := readString(mem, stack[0], stack[1])
	if err == nil {
		v, ok := read(mem, stack[2], stack[3])
		if !ok {
			err = fmt.Errorf("value [%d, +%d) is outside memory", uint32(stack[2]), uint32(stack[3]))
		} else {
			err = c.txn.Put(key, v) // Put copies v
		}
	}
	if err != nil {
		stack[0] = api.EncodeI32(c.fail(err))
		return
	}
	stack[0] = 0
}

func capKVDelete(_ context.Context, c *call, mem api.Memory, stack []uint64) {
	key, err := readString(mem, stack[0], stack[1])
	if err == nil {
		err = c.txn.Delete(key)
	}
	if err != nil {
		stack[0] = api.EncodeI32(c.fail(err))
		return
	}
	stack[0] = 0
}

func capKVScan(ctx context.Context, c *call, mem api.Memory, stack []uint64) {
	prefix, err := readString(mem, stack[0], stack[1])
	if err != nil {
		stack[0] = api.EncodeI32(c.fail(err))
		return
	}
	// One scan may not pull a whole namespace into memory.
	limit := min(int(api.DecodeI32(stack[2])), maxScan)
	pairs, err := c.txn.Scan(ctx, prefix, limit)
	if err != nil {
		stack[0] = api.EncodeI32(c.fail(err))
		return
	}
	out := make([]any, len(pairs))
	for i, kv := range pairs {
		out[i] = []any{kv.Key, kv.Value}
	}
	b, err := abi.AppendValue(nil, out)
	if err != nil {
		stack[0] = api.EncodeI32(c.fail(err))
		return
	}
	stack[0] = api.EncodeI32(c.answer(b))
}

func capConfigGet(_ context.Context, c *call, mem api.Memory, stack []uint64) {
	key, err := readString(mem, stack[0], stack[1])
	if err != nil {
		stack[0] = api.EncodeI32(c.fail(err))
		return
	}
	v, ok := c.plugin.limits.Config.Get(key)
	if !ok {
		stack[0] = api.EncodeI32(abi.HostNotFound)
		return
	}
	b, err := abi.AppendValue(nil, v)
	if err != nil {
		stack[0] = api.EncodeI32(c.fail(err))
		return
	}
	stack[0] = api.EncodeI32(c.answer(b))
}

func capTimeNow(_ context.Context, _ *call, _ api.Memory, stack []uint64) {
	stack[0] = api.EncodeI64(time.Now().UnixNano())
}

func capResultRead(_ context.Context, c *call, mem api.Memory, stack []uint64) {
	mem.Write(uint32(stack[0]), c.result)
}

// commit ends a call's transaction: kept if the call succeeded, dropped
// otherwise.
func (c *call) commit(ctx context.Context, ok bool) error {
	if c.txn == nil {
		return nil
	}
	if !ok {
		c.txn.Discard()
		return nil
	}
	if err := c.txn.Commit(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrStorage, err)
	}
	return nil
}
