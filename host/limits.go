package host

import (
	"errors"
	"fmt"
	"time"

	"github.com/rpchost/rpchost/internal/plugin"
)

// Limits bound what one plugin's procedures may use. In a per-plugin
// override made with Config.WithPluginLimits a zero field inherits the
// default; Config.WithPluginLimitsFunc sets zeros too.
type Limits struct {
	// CallTimeout bounds one call's wall-clock time, waiting for an
	// instance included. 0 means no limit.
	CallTimeout time.Duration
	// MemoryBytes caps each instance's linear memory (rounded down to 64 KiB pages).
	MemoryBytes uint64
	// PoolSize bounds the instances, and so the concurrent calls, of a plugin.
	PoolSize int
	// MaxQueue bounds the calls waiting for a free instance; one more is
	// refused at once with a busy fault.
	MaxQueue int
	// MaxResultBytes bounds a result as the guest encodes it.
	MaxResultBytes int
	// MaxOutputBytes bounds what one call may write to stdout and stderr.
	MaxOutputBytes int
	// Isolation says whether calls share instances (IsolationInstance) or
	// each gets a fresh one (IsolationCall); "" inherits.
	Isolation Isolation
	// LoadTimeout bounds a module's own set-up code: its start function,
	// _initialize and rpchost_describe together when it is loaded, and
	// start and _initialize on each new instance. Never 0: a module that
	// loops at load must not hold the loader.
	LoadTimeout time.Duration
}

// Isolation says what one call can see of the calls before it.
type Isolation string

const (
	// IsolationInstance reuses an instance for call after call: its memory
	// and globals carry over, so a procedure may keep a cache, and may also
	// leak one caller's data to the next. The default, and the fastest.
	IsolationInstance Isolation = "instance"
	// IsolationCall runs every call on an instance that has only been
	// initialized, and discards it afterwards: nothing one caller leaves in
	// memory or globals reaches another. It costs an instantiation per call.
	IsolationCall Isolation = "call"
)

// defaultLimits is the one place the limits' defaults are written;
// NewConfig().Limits() reports them to everyone else (rpchost's
// configuration included).
func defaultLimits() Limits {
	return Limits{
		CallTimeout:    5 * time.Second,
		MemoryBytes:    64 << 20,
		PoolSize:       8,
		MaxQueue:       128,
		MaxResultBytes: 16 << 20,
		MaxOutputBytes: 64 << 10,
		Isolation:      IsolationInstance,
		LoadTimeout:    5 * time.Second,
	}
}

// over returns l with every zero field taken from base.
func (l Limits) over(base Limits) Limits {
	if l.CallTimeout == 0 {
		l.CallTimeout = base.CallTimeout
	}
	if l.MemoryBytes == 0 {
		l.MemoryBytes = base.MemoryBytes
	}
	if l.PoolSize == 0 {
		l.PoolSize = base.PoolSize
	}
	if l.MaxQueue == 0 {
		l.MaxQueue = base.MaxQueue
	}
	if l.MaxResultBytes == 0 {
		l.MaxResultBytes = base.MaxResultBytes
	}
	if l.MaxOutputBytes == 0 {
		l.MaxOutputBytes = base.MaxOutputBytes
	}
	if l.Isolation == "" {
		l.Isolation = base.Isolation
	}
	if l.LoadTimeout == 0 {
		l.LoadTimeout = base.LoadTimeout
	}
	return l
}

// validate checks limits and names each one by its configuration key:
// prefix is "limits." for the defaults and "plugin.<name>." for an
// override, poolKey the key of the pool size (pool.size or
// plugin.<name>.pool_size).
func (l Limits) validate(prefix, poolKey string) error {
	var errs []error
	check := func(ok bool, key, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(key+": "+format, args...))
		}
	}
	check(l.CallTimeout >= 0, prefix+"call_timeout", "%v is negative", l.CallTimeout)
	check(l.MemoryBytes >= 64<<10, prefix+"memory_mib", "%d bytes is below one 64 KiB page", l.MemoryBytes)
	check(l.MemoryBytes <= 4<<30, prefix+"memory_mib", "%d bytes is above wasm32's 4 GiB", l.MemoryBytes)
	check(l.PoolSize >= 1, poolKey, "%d is below 1", l.PoolSize)
	check(l.MaxQueue >= 1, prefix+"max_queue", "%d is below 1", l.MaxQueue)
	check(l.MaxResultBytes >= 1, prefix+"max_result_bytes", "%d is below 1", l.MaxResultBytes)
	check(l.MaxOutputBytes >= 1, prefix+"max_output_bytes", "%d is below 1", l.MaxOutputBytes)
	check(l.Isolation == IsolationInstance || l.Isolation == IsolationCall,
		prefix+"isolation", "%q: want %q or %q", l.Isolation, IsolationInstance, IsolationCall)
	check(l.LoadTimeout > 0, prefix+"load_timeout", "%v is not positive", l.LoadTimeout)
	return errors.Join(errs...)
}

// PluginLimits reports the limits plugin name gets: its overrides, if
// any, over the defaults.
func (c Config) PluginLimits(name string) Limits { return c.limitsFor(name) }

// limitsFor returns a plugin's limits: its overrides, in the order they
// were given, over the defaults. Plugin names match case-insensitively.
func (c Config) limitsFor(name string) Limits {
	l := c.limits
	if edits, ok := byName(c.pluginLimits, name); ok {
		for _, edit := range edits {
			l = edit(l)
		}
	}
	return l
}

func (l Limits) pluginOptions() plugin.Options {
	return plugin.Options{
		PoolSize:         l.PoolSize,
		CallTimeout:      l.CallTimeout,
		MemoryLimitPages: uint32(l.MemoryBytes >> 16),
		MaxQueue:         l.MaxQueue,
		MaxResultBytes:   l.MaxResultBytes,
		MaxOutputBytes:   l.MaxOutputBytes,

		FreshInstancePerCall: l.Isolation == IsolationCall,
		LoadTimeout:          l.LoadTimeout,
	}
}
