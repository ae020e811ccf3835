package host

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// Config is an immutable description of a Host. Each With method returns a
// modified copy; New reports every invalid setting at once.
type Config struct {
	pluginDir      string
	limits         Limits
	pluginLimits   map[string][]func(Limits) Limits // per plugin, applied in order over limits
	maxBodyBytes   int64
	maxInflight    int64
	maxDepth       int
	maxItems       int
	maxMulticall   int
	cacheDir       string
	aliases        map[string]string
	logger         *slog.Logger
	gzipMinSize    int
	gzipEnabled    bool
	adminToken     string
	maxUploadBytes int64
	store          storeSettings
	pluginConfig   map[string]map[string]any
	pluginGrants   map[string][]string
	watch          bool
	debounce       time.Duration
	pollInterval   time.Duration
	xmlrpcPaths    []string     // http.xmlrpc_paths
	jsonrpcPaths   []string     // http.jsonrpc_paths
	auth           authSettings // auth.* (auth_config.go)
	accessLog      bool
	metricsRoute   bool
	idleTimeout    time.Duration
	deploy         deploySettings // deploy.* (deploy_config.go)
}

// NewConfig returns the defaults: plugins from ./plugins, 8 instances per
// plugin, 5 s per call, 64 MiB of linear memory per instance, 16 MiB bodies,
// 64 levels of nesting, a million items, 1,000 calls per multicall.
//
// This is the one place (with defaultLimits and the store's and codec's
// own defaults it reads) where defaults are written: rpchost's
// configuration reads them back through Config's getters, so that a
// default changed here changes everywhere.
func NewConfig() Config {
	xl := xmlrpc.DefaultLimits()
	return Config{
		pluginDir:      "plugins",
		limits:         defaultLimits(),
		maxBodyBytes:   16 << 20,
		maxInflight:    64 << 20, // four bodies of the largest size
		maxDepth:       xl.MaxDepth,
		maxItems:       xl.MaxItems,
		maxMulticall:   1000,
		gzipMinSize:    1400, // what Python's server uses
		gzipEnabled:    true,
		maxUploadBytes: 64 << 20,
		watch:          true,
		debounce:       100 * time.Millisecond,
		pollInterval:   time.Second,
		store:          StoreConfig{}.settings(),
		xmlrpcPaths:    []string{"/", "/RPC2"}, // Python's server's
		jsonrpcPaths:   []string{"/jsonrpc"},
		auth:           defaultAuth(),
		metricsRoute:   true,
		// Long enough that a plugin called every few seconds keeps its
		// instance; short enough that a burst's instances, or a thousand
		// plugins each called once, give their memory back within a minute.
		idleTimeout: 30 * time.Second,
		deploy:      deploySettings{keepVersions: 5},
	}
}

// WithPoolIdleTimeout sets how long an instance may wait for a call before
// it is destroyed, giving its memory back; 0 keeps idle instances until
// the plugin is unloaded.
func (c Config) WithPoolIdleTimeout(d time.Duration) Config { c.idleTimeout = d; return c }

// WithPluginDir sets the directory whose *.wasm files are served.
func (c Config) WithPluginDir(dir string) Config { c.pluginDir = dir; return c }

// WithPoolSize bounds the instances, and so the concurrent calls, per plugin.
func (c Config) WithPoolSize(n int) Config { c.limits.PoolSize = n; return c }

// WithCallTimeout bounds one call; 0 disables the limit.
func (c Config) WithCallTimeout(d time.Duration) Config { c.limits.CallTimeout = d; return c }

// WithMemoryLimit caps each instance's linear memory, in bytes (rounded down
// to 64 KiB pages).
func (c Config) WithMemoryLimit(bytes uint64) Config { c.limits.MemoryBytes = bytes; return c }

// WithLoadTimeout bounds a module's start function, _initialize and
// rpchost_describe when it is loaded (limits.load_timeout); it must be positive.
func (c Config) WithLoadTimeout(d time.Duration) Config { c.limits.LoadTimeout = d; return c }

// WithLimits sets every default limit at once; zero fields keep the current
// value.
func (c Config) WithLimits(l Limits) Config { c.limits = l.over(c.limits); return c }

// WithPluginLimits overrides limits for one plugin; zero fields inherit the
// defaults. To set a limit to zero (a CallTimeout of 0 is no limit), use
// WithPluginLimitsFunc.
func (c Config) WithPluginLimits(name string, l Limits) Config {
	return c.WithPluginLimitsFunc(name, l.over)
}

// WithPluginLimitsFunc overrides limits for one plugin: edit receives the
// limits the plugin would otherwise have (the defaults as New sees them,
// after earlier overrides of the same plugin) and returns the plugin's
// own. A field edit leaves alone inherits; a field it sets is the
// plugin's, zero included:
//
//	cfg.WithPluginLimitsFunc("batch", func(l host.Limits) host.Limits {
//		l.CallTimeout = 0 // no limit for this plugin only
//		return l
//	})
func (c Config) WithPluginLimitsFunc(name string, edit func(Limits) Limits) Config {
	c.pluginLimits = maps.Clone(c.pluginLimits)
	if c.pluginLimits == nil {
		c.pluginLimits = map[string][]func(Limits) Limits{}
	}
	c.pluginLimits[name] = append(slices.Clip(c.pluginLimits[name]), edit)
	return c
}

// WithMaxBodyBytes caps a request body, after gzip decoding.
func (c Config) WithMaxBodyBytes(n int64) Config { c.maxBodyBytes = n; return c }

// WithMaxInflightBytes caps the memory that all request bodies being read
// or served hold together; a request that finds no room waits up to a
// second, then is refused with 503 and Retry-After. It must be at least
// twice the body limit, which a growing buffer may briefly need.
func (c Config) WithMaxInflightBytes(n int64) Config { c.maxInflight = n; return c }

// WithMaxDepth caps the nesting of arrays and structs in a request; at
// most abi.MaxDepth, the nesting a value can have on its way to a guest.
func (c Config) WithMaxDepth(n int) Config { c.maxDepth = n; return c }

// WithMaxItems caps the values in a request: its params, array elements
// and struct members together, at most n.
func (c Config) WithMaxItems(n int) Config { c.maxItems = n; return c }

// WithMaxMulticall caps the calls in one system.multicall.
func (c Config) WithMaxMulticall(n int) Config { c.maxMulticall = n; return c }

// WithCompilationCacheDir keeps compiled plugins on disk so a restart does
// not compile them again; "" disables the cache.
func (c Config) WithCompilationCacheDir(dir string) Config { c.cacheDir = dir; return c }

// WithAliases pins bare method names to qualified ones ({"add": "numeric.add"}),
// overriding BareNamesRule; New refuses a pin to a method it does not serve.
func (c Config) WithAliases(aliases map[string]string) Config {
	c.aliases = maps.Clone(aliases)
	return c
}

// WithLogger sets where the host logs; the default discards.
func (c Config) WithLogger(l *slog.Logger) Config { c.logger = l; return c }

// WithGzip turns gzip responses on or off; on, responses of at least
// minSize bytes are compressed for clients that accept gzip.
func (c Config) WithGzip(enabled bool, minSize int) Config {
	c.gzipEnabled, c.gzipMinSize = enabled, minSize
	return c
}

// WithWatch turns hot reload on or off. On, file events are acted upon once
// the directory has been quiet for debounce, and the directory is rescanned
// every poll whatever the events say.
func (c Config) WithWatch(enabled bool, debounce, poll time.Duration) Config {
	c.watch, c.debounce, c.pollInterval = enabled, debounce, poll
	return c
}

// WithAdmin enables plugins.upload and plugins.remove for requests that
// present token; an empty token disables them. Uploads are capped at
// maxUploadBytes.
func (c Config) WithAdmin(token string, maxUploadBytes int64) Config {
	c.adminToken, c.maxUploadBytes = token, maxUploadBytes
	return c
}

// WithXMLRPCPaths sets the URL paths XML-RPC is served on (http.xmlrpc_paths);
// none turns the XML-RPC front end off.
func (c Config) WithXMLRPCPaths(paths []string) Config {
	c.xmlrpcPaths = slices.Clone(paths)
	return c
}

// WithJSONRPCPaths sets the URL paths JSON-RPC is served on
// (http.jsonrpc_paths); none turns the JSON-RPC front end off.
func (c Config) WithJSONRPCPaths(paths []string) Config {
	c.jsonrpcPaths = slices.Clone(paths)
	return c
}

// WithAccessLog turns the access log on or off: one line per call, at
// level info through the host's logger, with the caller's address, the
// front end, the method, the outcome and the duration.
func (c Config) WithAccessLog(on bool) Config { c.accessLog = on; return c }

// WithMetricsRoute serves GET /metrics on Handler (the default) or not,
// when the metrics are served on a listener of their own through
// MonitoringHandler.
func (c Config) WithMetricsRoute(on bool) Config { c.metricsRoute = on; return c }

func (c Config) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	// Messages name the configuration key each setting is read from, so
	// that rpchost's start-up error points at the line to change.
	check(c.pluginDir != "", "plugins: the plugin directory is empty")
	errs = append(errs, c.limits.validate("limits.", "pool.size"))
	errs = append(errs, c.validateCapabilities()...)
	for _, name := range slices.Sorted(maps.Keys(c.pluginLimits)) {
		p := "plugin." + name + "."
		errs = append(errs, c.limitsFor(name).validate(p, p+"pool_size"))
	}
	check(c.maxBodyBytes >= 1, "limits.max_body_bytes: %d is below 1", c.maxBodyBytes)
	check(c.maxInflight >= 2*c.maxBodyBytes, "limits.max_inflight_bytes: %d is below twice limits.max_body_bytes (%d): a body of the largest size could never be read", c.maxInflight, c.maxBodyBytes)
	check(c.maxDepth >= 1, "limits.max_depth: %d is below 1", c.maxDepth)
	check(c.maxDepth <= abi.MaxDepth, "limits.max_depth: %d is above %d, the nesting the ABI carries to a procedure", c.maxDepth, abi.MaxDepth)
	check(c.maxItems >= 1, "limits.max_items: %d is below 1", c.maxItems)
	check(c.maxMulticall >= 1, "limits.max_multicall: %d is below 1", c.maxMulticall)
	check(!c.watch || c.debounce > 0, "watch.debounce: %v must be positive", c.debounce)
	check(!c.watch || c.pollInterval > 0, "watch.poll: %v must be positive", c.pollInterval)
	check(c.idleTimeout >= 0, "pool.idle_timeout: %v is negative", c.idleTimeout)
	check(c.maxUploadBytes >= 1, "admin.max_upload_bytes: %d is below 1", c.maxUploadBytes)
	check(c.gzipMinSize >= 0, "gzip minimum size %d is negative", c.gzipMinSize)
	errs = append(errs, validatePaths(c.xmlrpcPaths, c.jsonrpcPaths)...)
	errs = append(errs, c.auth.validate(c.Callers())...)
	errs = append(errs, c.validateDeploy()...)
	for bare, target := range c.aliases {
		check(bare != "" && target != "", "alias %q → %q: both names are needed", bare, target)
	}
	return errors.Join(errs...)
}

// The getters below report a Config's settings, so that a program
// configuring a Host from its own sources (as rpchost's command does) can
// take every default from NewConfig instead of repeating it.

// PluginDir reports the plugin directory.
func (c Config) PluginDir() string { return c.pluginDir }

// Limits reports the default limits every plugin has unless overridden.
func (c Config) Limits() Limits { return c.limits }

// MaxBodyBytes reports the request body cap.
func (c Config) MaxBodyBytes() int64 { return c.maxBodyBytes }

// MaxInflightBytes reports the cap on request bodies held at once.
func (c Config) MaxInflightBytes() int64 { return c.maxInflight }

// MaxDepth reports the nesting cap of a request.
func (c Config) MaxDepth() int { return c.maxDepth }

// MaxItems reports the cap on array elements and struct members in a request.
func (c Config) MaxItems() int { return c.maxItems }

// MaxMulticall reports the cap on calls in one system.multicall.
func (c Config) MaxMulticall() int { return c.maxMulticall }

// PoolIdleTimeout reports how long an idle instance is kept.
func (c Config) PoolIdleTimeout() time.Duration { return c.idleTimeout }

// MaxUploadBytes reports the upload cap set with WithAdmin.
func (c Config) MaxUploadBytes() int64 { return c.maxUploadBytes }

// XMLRPCPaths reports the paths XML-RPC is served on.
func (c Config) XMLRPCPaths() []string { return slices.Clone(c.xmlrpcPaths) }

// JSONRPCPaths reports the paths JSON-RPC is served on.
func (c Config) JSONRPCPaths() []string { return slices.Clone(c.jsonrpcPaths) }

// AccessLog reports whether the access log is on.
func (c Config) AccessLog() bool { return c.accessLog }

// MetricsRoute reports whether Handler serves /metrics.
func (c Config) MetricsRoute() bool { return c.metricsRoute }

// Watch reports the hot-reload settings set with WithWatch.
func (c Config) Watch() (enabled bool, debounce, poll time.Duration) {
	return c.watch, c.debounce, c.pollInterval
}
