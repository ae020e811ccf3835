package host

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/store"
)

// StoreConfig says where procedures keep their data.
type StoreConfig struct {
	// Driver is "bbolt" (embedded; Target is a directory) or "postgres"
	// (Target is a DSN); "" means no store, and plugins importing the kv
	// capabilities are refused at load.
	Driver, Target string
	Limits         StoreLimits
}

// StoreLimits bound what each plugin may keep in the store. A zero field
// means the default, which NewConfig().Store().Limits reports.
type StoreLimits struct {
	MaxKeyBytes    int   // one key
	MaxValueBytes  int   // one value
	MaxPluginBytes int64 // the sum of len(key)+len(value) over one plugin's data
	MaxTxnBytes    int64 // what one call's writes (and reads' keys) hold in memory
	MaxScanBytes   int64 // the pairs one scan returns
}

// storeSettings is StoreConfig as the host uses it: the limits in the
// store package's own type, defaults filled.
type storeSettings struct {
	Driver, Target string
	Limits         store.Limits
	given          StoreLimits // as set, for validation and Store()
}

// settings converts a StoreConfig; zero limits take the store's defaults.
func (s StoreConfig) settings() storeSettings {
	def := store.DefaultLimits()
	pick := func(v, d int64) int64 {
		if v == 0 {
			return d
		}
		return v
	}
	return storeSettings{
		Driver: s.Driver, Target: s.Target, given: s.Limits,
		Limits: store.Limits{
			MaxKeyBytes:       int(pick(int64(s.Limits.MaxKeyBytes), int64(def.MaxKeyBytes))),
			MaxValueBytes:     int(pick(int64(s.Limits.MaxValueBytes), int64(def.MaxValueBytes))),
			MaxNamespaceBytes: pick(s.Limits.MaxPluginBytes, def.MaxNamespaceBytes),
			MaxTxnBytes:       pick(s.Limits.MaxTxnBytes, def.MaxTxnBytes),
			MaxScanBytes:      pick(s.Limits.MaxScanBytes, def.MaxScanBytes),
		},
	}
}

// WithStore sets the store behind the kv capabilities.
func (c Config) WithStore(s StoreConfig) Config { c.store = s.settings(); return c }

// Store reports the store settings, with the default limits filled in.
func (c Config) Store() StoreConfig {
	l := c.store.Limits
	return StoreConfig{Driver: c.store.Driver, Target: c.store.Target, Limits: StoreLimits{
		MaxKeyBytes: l.MaxKeyBytes, MaxValueBytes: l.MaxValueBytes, MaxPluginBytes: l.MaxNamespaceBytes,
		MaxTxnBytes: l.MaxTxnBytes, MaxScanBytes: l.MaxScanBytes,
	}}
}

// WithPluginConfig sets what plugin name reads with config_get: its
// plugin.<name>.config section. Values are converted to XML-RPC values.
func (c Config) WithPluginConfig(name string, config map[string]any) Config {
	c.pluginConfig = maps.Clone(c.pluginConfig)
	if c.pluginConfig == nil {
		c.pluginConfig = map[string]map[string]any{}
	}
	c.pluginConfig[name] = config
	return c
}

// WithPluginGrants limits the capabilities plugin name may import ("log",
// "kv", "config", "time"); by default it has them all.
func (c Config) WithPluginGrants(name string, grants []string) Config {
	c.pluginGrants = maps.Clone(c.pluginGrants)
	if c.pluginGrants == nil {
		c.pluginGrants = map[string][]string{}
	}
	c.pluginGrants[name] = slices.Clone(grants)
	return c
}

func (c Config) validateCapabilities() []error {
	var errs []error
	for name, grants := range c.pluginGrants {
		for _, g := range grants {
			if !slices.Contains(abi.DefaultGrants(), g) {
				errs = append(errs, fmt.Errorf("plugin %s: unknown grant %q (want some of %v)", name, g, abi.DefaultGrants()))
			}
		}
	}
	for name, cfg := range c.pluginConfig {
		if _, err := configValue(cfg); err != nil {
			errs = append(errs, fmt.Errorf("plugin %s config: %w", name, err))
		}
	}
	switch c.store.Driver {
	case "", "bbolt", "postgres":
	default:
		errs = append(errs, fmt.Errorf("store.driver: %q: want bbolt or postgres", c.store.Driver))
	}
	g := c.store.given
	for _, l := range []struct {
		key string
		v   int64
	}{{"store.max_key_bytes", int64(g.MaxKeyBytes)}, {"store.max_value_bytes", int64(g.MaxValueBytes)}, {"store.max_plugin_bytes", g.MaxPluginBytes},
		{"store.max_txn_bytes", g.MaxTxnBytes}, {"store.max_scan_bytes", g.MaxScanBytes}} {
		if l.v < 0 {
			errs = append(errs, fmt.Errorf("%s: %d is negative", l.key, l.v))
		}
	}
	if c.store.Driver != "" {
		if err := c.store.Limits.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// byName finds a per-plugin setting; viper lower-cases keys, so plugin
// names match case-insensitively.
func byName[V any](m map[string]V, name string) (V, bool) {
	for n, v := range m {
		if strings.EqualFold(n, name) {
			return v, true
		}
	}
	var zero V
	return zero, false
}

// configValue turns configuration data (as YAML and viper produce it) into
// an XML-RPC value: maps become structs sorted by key.
func configValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, []byte, time.Time, abi.Struct:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint64:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case []any:
		out := make([]any, len(x))
		for i := range x {
			c, err := configValue(x[i])
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case map[string]any:
		keys := slices.Collect(maps.Keys(x))
		sort.Strings(keys)
		out := make(abi.Struct, 0, len(x))
		for _, k := range keys {
			c, err := configValue(x[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out = append(out, abi.Member{Name: k, Value: c})
		}
		return out, nil
	}
	return nil, fmt.Errorf("a %T cannot be an XML-RPC value", v)
}
