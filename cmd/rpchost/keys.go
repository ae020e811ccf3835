package main

import (
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
)

// The configuration keys rpchost knows. A key not listed here is refused,
// in config.yaml and as an RPCHOST_* variable, with a suggestion.
//
// Defaults are not written here: a host key reads its default from
// host.NewConfig() (where the one copy of each default lives), and a key
// of the command's own from newSettings.
//
// To add a key:
//   - a setting of host.Config: one line in keys, hostKey(name, getter,
//     With method), after adding the With method, its default in NewConfig
//     and its check in validate (host/config.go);
//   - a limit a plugin may override too: one line in limitFields, which
//     makes both limits.<name> and plugin.<plugin>.<name>;
//   - another per-plugin setting: one line in pluginKeys;
//   - a setting of the command itself: a field in settings, its default in
//     newSettings, and one line in keys, ownKey(name, field).
//
// Then document it in config.yaml (commented) and README's Configuration
// table; TestEveryKeyIsDocumented checks both.

// kind is how a key's value is written.
type kind int

const (
	kindInt      kind = iota // a whole number, at least min (1 unless said otherwise)
	kindDuration             // a Go duration (5s, 100ms, 0), never negative
	kindBool                 // true or false
	kindString
	kindList // a YAML list of strings; in the environment, comma-separated
)

// key is one configuration key with a single value.
type key struct {
	name     string
	kind     kind
	min, max int64  // for kindInt; max 0 means none
	why      string // why max is the limit, for the message
	get      func(*settings) any
	set      func(*settings, any)
	check    func(any) error // a further check of a parsed value, or nil
}

// keys are the keys outside plugin.<name>.
var keys = append([]key{
	ownKey("listen", func(s *settings) *string { return &s.listen }),
	hostKey("plugins", host.Config.PluginDir, host.Config.WithPluginDir),
	hostKey("pool.idle_timeout", host.Config.PoolIdleTimeout, host.Config.WithPoolIdleTimeout),
	hostKey("limits.max_body_bytes", host.Config.MaxBodyBytes, host.Config.WithMaxBodyBytes),
	hostKey("limits.max_inflight_bytes", host.Config.MaxInflightBytes, host.Config.WithMaxInflightBytes),
	hostKey("limits.max_depth", host.Config.MaxDepth, host.Config.WithMaxDepth).upTo(abi.MaxDepth, "the nesting the ABI carries to a procedure"),
	hostKey("limits.max_items", host.Config.MaxItems, host.Config.WithMaxItems),
	hostKey("limits.max_multicall", host.Config.MaxMulticall, host.Config.WithMaxMulticall),
	ownKey("cache.dir", func(s *settings) *string { return &s.cacheDir }),
	ownKey("http.read_header_timeout", func(s *settings) *time.Duration { return &s.http.readHeader }),
	ownKey("http.read_timeout", func(s *settings) *time.Duration { return &s.http.read }),
	ownKey("http.write_timeout", func(s *settings) *time.Duration { return &s.http.write }),
	ownKey("http.idle_timeout", func(s *settings) *time.Duration { return &s.http.idle }),
	ownKey("http.max_connections", func(s *settings) *int { return &s.http.maxConnections }),
	ownKey("http.max_header_bytes", func(s *settings) *int { return &s.http.maxHeaderBytes }),
	hostKey("http.xmlrpc_paths", host.Config.XMLRPCPaths, host.Config.WithXMLRPCPaths),
	hostKey("http.jsonrpc_paths", host.Config.JSONRPCPaths, host.Config.WithJSONRPCPaths),
	ownKey("http.drain_grace", func(s *settings) *time.Duration { return &s.http.drainGrace }),
	ownKey("aliases", func(s *settings) *[]string { return &s.aliases }),
	ownKey("store.driver", func(s *settings) *string { return &s.store.driver }),
	ownKey("store.dir", func(s *settings) *string { return &s.store.dir }),
	ownKey("store.dsn", func(s *settings) *string { return &s.store.dsn }),
	ownKey("store.max_key_bytes", func(s *settings) *int { return &s.store.limits.MaxKeyBytes }),
	ownKey("store.max_value_bytes", func(s *settings) *int { return &s.store.limits.MaxValueBytes }),
	ownKey("store.max_plugin_bytes", func(s *settings) *int64 { return &s.store.limits.MaxPluginBytes }),
	ownKey("store.max_txn_bytes", func(s *settings) *int64 { return &s.store.limits.MaxTxnBytes }),
	ownKey("store.max_scan_bytes", func(s *settings) *int64 { return &s.store.limits.MaxScanBytes }),
	ownKey("admin.token", func(s *settings) *string { return &s.adminToken }).checkedBy(checkAdminToken),
	// WithAdmin sets the token too; hostConfig sets the real one last.
	hostKey("admin.max_upload_bytes", host.Config.MaxUploadBytes, func(c host.Config, n int64) host.Config { return c.WithAdmin("", n) }),
	hostKey("deploy.dsn", host.Config.DeployDSN, host.Config.WithDeployDSN),
	hostKey("deploy.keep_versions", host.Config.KeepVersions, host.Config.WithKeepVersions).upTo(1000, "each kept version may hold a module of admin.max_upload_bytes"),
	hostKey("deploy.replica", host.Config.ReplicaName, host.Config.WithReplicaName),
	hostKey("watch.enabled", func(c host.Config) bool { on, _, _ := c.Watch(); return on },
		func(c host.Config, on bool) host.Config { _, d, p := c.Watch(); return c.WithWatch(on, d, p) }),
	hostKey("watch.debounce", func(c host.Config) time.Duration { _, d, _ := c.Watch(); return d },
		func(c host.Config, d time.Duration) host.Config { on, _, p := c.Watch(); return c.WithWatch(on, d, p) }),
	hostKey("watch.poll", func(c host.Config) time.Duration { _, _, p := c.Watch(); return p },
		func(c host.Config, p time.Duration) host.Config { on, d, _ := c.Watch(); return c.WithWatch(on, d, p) }),
	hostKey("auth.anonymous", host.Config.Anonymous, host.Config.WithAnonymous),
	hostKey("auth.anonymous_rate", func(c host.Config) string { return c.AnonymousRate().String() },
		func(c host.Config, s string) host.Config {
			r, _ := host.ParseRate(s) // checkRate has read it
			r.Burst = c.AnonymousRate().Burst
			return c.WithAnonymousRate(r)
		}).checkedBy(checkRate),
	hostKey("auth.anonymous_burst", func(c host.Config) int { return c.AnonymousRate().Burst },
		func(c host.Config, n int) host.Config {
			r := c.AnonymousRate()
			r.Burst = n
			return c.WithAnonymousRate(r)
		}).atLeast(0),
	hostKey("auth.anonymous_max_addresses", host.Config.AnonymousMaxAddresses, host.Config.WithAnonymousMaxAddresses),
	ownKey("tls.cert_file", func(s *settings) *string { return &s.tls.certFile }),
	ownKey("tls.key_file", func(s *settings) *string { return &s.tls.keyFile }),
	ownKey("log.level", func(s *settings) *string { return &s.log.level }),
	ownKey("log.format", func(s *settings) *string { return &s.log.format }),
	hostKey("log.access", host.Config.AccessLog, host.Config.WithAccessLog),
	ownKey("metrics.listen", func(s *settings) *string { return &s.metrics.listen }),
	ownKey("metrics.remote", func(s *settings) *bool { return &s.metrics.remote }),
	ownKey("debug.pprof_listen", func(s *settings) *string { return &s.debug.pprofListen }),
	ownKey("debug.pprof_remote", func(s *settings) *bool { return &s.debug.pprofRemote }),
}, limitKeys()...)

// limitFields are the limits a plugin may override: each is the key
// limits.<name> (pool.size for pool_size) and plugin.<plugin>.<name>.
var limitFields = []limitField{
	limitOf("call_timeout", func(l *host.Limits) *time.Duration { return &l.CallTimeout }),
	{name: "memory_mib", kind: kindInt, min: 1, max: 4096, why: "4 GiB, all wasm32 can address", // host counts bytes, people MiB
		get: func(l host.Limits) any { return int64(l.MemoryBytes >> 20) },
		set: func(l *host.Limits, v any) { l.MemoryBytes = uint64(v.(int64)) << 20 }},
	limitOf("pool_size", func(l *host.Limits) *int { return &l.PoolSize }).globally("pool.size"),
	limitOf("max_queue", func(l *host.Limits) *int { return &l.MaxQueue }),
	limitOf("max_result_bytes", func(l *host.Limits) *int { return &l.MaxResultBytes }),
	limitOf("max_output_bytes", func(l *host.Limits) *int { return &l.MaxOutputBytes }),
	limitOf("load_timeout", func(l *host.Limits) *time.Duration { return &l.LoadTimeout }),
	{name: "isolation", kind: kindString, // instance or call; host.New checks
		get: func(l host.Limits) any { return string(l.Isolation) },
		set: func(l *host.Limits, v any) { l.Isolation = host.Isolation(v.(string)) }},
}

// pluginKeys are the per-plugin keys that are not limits. plugin.<name>.config
// is not among them: it is free-form (see fileWalker.pluginConfig).
var pluginKeys = []pluginKey{
	{name: "grants", kind: kindList, set: func(c host.Config, plugin string, v any) host.Config {
		return c.WithPluginGrants(plugin, v.([]string))
	}},
}

// scalar is what a key's Go value may be.
type scalar interface {
	~int | ~int64 | ~bool | ~string | ~[]string
}

// hostKey is a key held in host.Config, read with get and set with with.
func hostKey[T scalar](name string, get func(host.Config) T, with func(host.Config, T) host.Config) key {
	return key{name: name, kind: kindOf[T](), min: 1,
		get: func(s *settings) any { return canonical(get(s.cfg)) },
		set: func(s *settings, v any) { s.cfg = with(s.cfg, fromCanonical[T](v)) },
	}
}

// ownKey is a key the command itself uses, held in a settings field.
func ownKey[T scalar](name string, field func(*settings) *T) key {
	return key{name: name, kind: kindOf[T](), min: 1,
		get: func(s *settings) any { return canonical(*field(s)) },
		set: func(s *settings, v any) { *field(s) = fromCanonical[T](v) },
	}
}

// checkedBy adds a check of the key's parsed values, wherever they come from.
func (k key) checkedBy(check func(any) error) key { k.check = check; return k }

// atLeast sets an int key's smallest value, when it is not 1.
func (k key) atLeast(min int64) key { k.min = min; return k }

// upTo sets an int key's largest value and why it is the largest.
func (k key) upTo(max int64, why string) key { k.max, k.why = max, why; return k }

// limitField is one field of host.Limits as a key.
type limitField struct {
	name, global string // per-plugin name; the global key ("" = limits.<name>)
	kind         kind
	min, max     int64
	why          string
	get          func(host.Limits) any
	set          func(*host.Limits, any)
}

func limitOf[T int | time.Duration](name string, field func(*host.Limits) *T) limitField {
	return limitField{name: name, kind: kindOf[T](), min: 1,
		get: func(l host.Limits) any { return canonical(*field(&l)) },
		set: func(l *host.Limits, v any) { *field(l) = fromCanonical[T](v) },
	}
}

func (f limitField) globally(key string) limitField { f.global = key; return f }

// limitKeys turns limitFields into the global keys.
func limitKeys() []key {
	out := make([]key, 0, len(limitFields))
	for _, f := range limitFields {
		name := f.global
		if name == "" {
			name = "limits." + f.name
		}
		out = append(out, key{name: name, kind: f.kind, min: f.min, max: f.max, why: f.why,
			get: func(s *settings) any { return f.get(s.cfg.Limits()) },
			set: func(s *settings, v any) {
				l := s.cfg.Limits()
				f.set(&l, v)
				// WithLimits keeps the old value of a zero field; a zero
				// call timeout means no limit and a zero load timeout is
				// refused by host.New, so they are set on their own.
				s.cfg = s.cfg.WithLimits(l).WithCallTimeout(l.CallTimeout).WithLoadTimeout(l.LoadTimeout)
			},
		})
	}
	return out
}

// pluginKey is a per-plugin key other than a limit.
type pluginKey struct {
	name     string
	kind     kind
	min, max int64 // as in key
	why      string
	set      func(c host.Config, plugin string, v any) host.Config
}

// pluginKeyList is every per-plugin key, limits included, as keys whose
// set applies to one plugin.
func pluginKeyList() []pluginKey {
	out := make([]pluginKey, 0, len(limitFields)+len(pluginKeys))
	for _, f := range limitFields {
		out = append(out, pluginKey{name: f.name, kind: f.kind, min: f.min, max: f.max, why: f.why, set: func(c host.Config, plugin string, v any) host.Config {
			return c.WithPluginLimitsFunc(plugin, func(l host.Limits) host.Limits { f.set(&l, v); return l })
		}})
	}
	return append(out, pluginKeys...)
}

func kindOf[T scalar]() kind {
	var zero T
	switch any(zero).(type) {
	case time.Duration:
		return kindDuration
	case int, int64:
		return kindInt
	case bool:
		return kindBool
	case string:
		return kindString
	case []string:
		return kindList
	}
	panic("rpchost: no configuration kind for this type") // a mistake in keys, found by any test
}

// canonical turns a key's Go value into what parseValue produces: int64,
// time.Duration, bool, string or []string.
func canonical[T scalar](v T) any {
	switch x := any(v).(type) {
	case int:
		return int64(x)
	case time.Duration, int64, bool, string, []string:
		return x
	}
	panic("rpchost: no canonical form for this type")
}

func fromCanonical[T scalar](v any) T {
	var zero T
	switch any(zero).(type) {
	case int:
		return any(int(v.(int64))).(T)
	}
	return v.(T)
}
