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
	Limits         store.Limits
}

// WithStore sets the store behind the kv capabilities.
func (c Config) WithStore(s StoreConfig) Config { c.store = s; return c }

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
		errs = append(errs, fmt.Errorf("store driver %q: want bbolt or postgres", c.store.Driver))
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
