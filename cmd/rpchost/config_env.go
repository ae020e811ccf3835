package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rpchost/rpchost/host"
)

// The environment: every key is RPCHOST_ + the key in upper case with dots
// as underscores (limits.call_timeout: RPCHOST_LIMITS_CALL_TIMEOUT), and
// plugin.<name>.<key> is RPCHOST_PLUGIN_<NAME>_<KEY>. As plugin names may
// hold underscores, such a variable is split by matching the per-plugin
// keys against its end (RPCHOST_PLUGIN_MY_PLUGIN_CALL_TIMEOUT is plugin
// my_plugin, key call_timeout); the name is lower-cased (plugin names
// match case-insensitively). plugin.<name>.config cannot be set this way.
//
// Any other RPCHOST_ variable is refused with a suggestion, so that a
// misspelt one does not leave a default in place unnoticed; an empty one
// counts as unset.

// otherVariables are RPCHOST_ variables that are not configuration keys.
var otherVariables = []string{
	"RPCHOST_CONFIG", // names the configuration file
	"RPCHOST_SERVER", // the server the client commands call
	// Read by this repository's tests, which start servers in their
	// environment.
	"RPCHOST_SOAK",
	"RPCHOST_STORE_KILL_AFTER_APPLY",
}

const envPrefix = "RPCHOST_"

// envName is the variable that sets a key.
func envName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// applyEnv applies the RPCHOST_* variables of environ (KEY=value pairs).
func (s *settings) applyEnv(environ []string) []error {
	var errs []error
	environ = slices.Sorted(slices.Values(environ)) // the same errors in the same order every time
	for _, kv := range environ {
		name, raw, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envPrefix) || raw == "" || slices.Contains(otherVariables, name) {
			continue
		}
		if err := s.applyVariable(name, raw); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (s *settings) applyVariable(name, raw string) error {
	for i := range keys {
		if envName(keys[i].name) == name {
			return s.setRaw(&keys[i], raw, name)
		}
	}
	if ok, err := s.applyCallerVariable(name, raw); ok { // RPCHOST_AUTH_CALLERS_<NAME>_<KEY>
		return err
	}
	const pluginPrefix = envPrefix + "PLUGIN_"
	if rest, ok := strings.CutPrefix(name, pluginPrefix); ok {
		if plugin, ok := strings.CutSuffix(rest, "_CONFIG"); ok && plugin != "" {
			return fmt.Errorf("%s: plugin.%s.config cannot be set from the environment; write it in the configuration file", name, strings.ToLower(plugin))
		}
		for _, pk := range pluginKeysLongestFirst() {
			plugin, ok := strings.CutSuffix(rest, "_"+strings.ToUpper(pk.name))
			if !ok || plugin == "" {
				continue
			}
			plugin = strings.ToLower(plugin)
			if err := host.CheckPluginName(plugin); err != nil {
				return fmt.Errorf("%s: plugin.%s.%s: no plugin can have this name: %w", name, plugin, pk.name, err)
			}
			v, err := parseValue(raw, pk.kind)
			if err == nil {
				err = checkRange(v, pk.min, pk.max, pk.why)
			}
			if err != nil {
				return fmt.Errorf("%s: plugin.%s.%s: %w", name, plugin, pk.name, err)
			}
			s.cfg = pk.set(s.cfg, plugin, v)
			return nil
		}
	}
	return fmt.Errorf("%s: unknown variable%s", name, envSuggestion(name))
}

// pluginKeysLongestFirst orders the per-plugin keys so that a key that ends
// another (size, pool_size) cannot take its place.
func pluginKeysLongestFirst() []pluginKey {
	ks := pluginKeyList()
	slices.SortStableFunc(ks, func(a, b pluginKey) int { return len(b.name) - len(a.name) })
	return ks
}

// envSuggestion finds the variable a misspelt one most likely meant.
func envSuggestion(name string) string {
	var known []string
	for _, k := range keys {
		known = append(known, envName(k.name))
	}
	known = append(known, otherVariables[:2]...)
	if rest, ok := strings.CutPrefix(name, envPrefix+"PLUGIN_"); ok {
		// Try every split into a plugin name and a key.
		for i := strings.IndexByte(rest, '_'); i > 0; i = next(rest, i) {
			plugin := rest[:i]
			for _, pk := range pluginKeyList() {
				known = append(known, envPrefix+"PLUGIN_"+plugin+"_"+strings.ToUpper(pk.name))
			}
		}
	}
	return suggestion(name, known)
}

func next(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '_')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// parseValue parses a value written as text.
func parseValue(raw string, k kind) (any, error) {
	switch k {
	case kindInt:
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(raw), "_", ""), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", raw)
		}
		return n, nil
	case kindDuration:
		d, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration (like 5s, 250ms or 0)", raw)
		}
		if d < 0 {
			return nil, fmt.Errorf("%v is negative", d)
		}
		return d, nil
	case kindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", raw)
		}
		return b, nil
	case kindList:
		out := []string{}
		for _, e := range strings.Split(raw, ",") {
			if e = strings.TrimSpace(e); e != "" {
				out = append(out, e)
			}
		}
		return out, nil
	}
	return raw, nil
}

// checkRange bounds a whole number: every count and size is at least min
// (1 unless a key says otherwise) and at most max when max is not 0.
func checkRange(v any, min, max int64, why string) error {
	n, ok := v.(int64)
	switch {
	case !ok:
		return nil
	case n < min:
		return fmt.Errorf("%d is below %d", n, min)
	case max != 0 && n > max:
		if why != "" {
			return fmt.Errorf("%d is above %d, %s", n, max, why)
		}
		return fmt.Errorf("%d is above %d", n, max)
	}
	return nil
}
