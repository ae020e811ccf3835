package host

import (
	"errors"
	"fmt"
	"time"

	"github.com/rpchost/rpchost/internal/plugin"
)

// Limits bound what one plugin's procedures may use. In a per-plugin
// override (Config.WithPluginLimits) a zero field inherits the default.
type Limits struct {
	// CallTimeout bounds one call's wall-clock time, waiting for an
	// instance included. In the defaults, 0 means no limit.
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

func (l Limits) validate(who string) error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(who+": "+format, args...))
		}
	}
	check(l.CallTimeout >= 0, "call timeout %v is negative", l.CallTimeout)
	check(l.MemoryBytes >= 64<<10, "memory limit %d bytes is below one 64 KiB page", l.MemoryBytes)
	check(l.MemoryBytes <= 4<<30, "memory limit %d bytes is above wasm32's 4 GiB", l.MemoryBytes)
	check(l.PoolSize >= 1, "pool size %d is below 1", l.PoolSize)
	check(l.MaxQueue >= 1, "max queue %d is below 1", l.MaxQueue)
	check(l.MaxResultBytes >= 1, "max result bytes %d is below 1", l.MaxResultBytes)
	check(l.MaxOutputBytes >= 1, "max output bytes %d is below 1", l.MaxOutputBytes)
	check(l.Isolation == IsolationInstance || l.Isolation == IsolationCall,
		"isolation %q: want %q or %q", l.Isolation, IsolationInstance, IsolationCall)
	check(l.LoadTimeout > 0, "load timeout %v is not positive (limits.load_timeout)", l.LoadTimeout)
	return errors.Join(errs...)
}

// limitsFor returns a plugin's limits: its override over the defaults.
// Plugin names match case-insensitively, because viper lower-cases keys.
func (c Config) limitsFor(name string) Limits {
	if l, ok := byName(c.pluginLimits, name); ok {
		return l.over(c.limits)
	}
	return c.limits
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
