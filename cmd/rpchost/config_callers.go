package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rpchost/rpchost/host"
)

// auth.callers is a mapping of caller names to their keys, like plugin:
//
//	auth:
//	  callers:
//	    reports:
//	      token_sha256: 9f86d0…   # rpchost hash-token
//	      allow: [records.*, system.*]
//	      rate: 10/s
//
// In the environment, auth.callers.<name>.<key> is
// RPCHOST_AUTH_CALLERS_<NAME>_<KEY>, split at the known key at its end.

// callerKey is one key of auth.callers.<name>.
type callerKey struct {
	name  string
	kind  kind
	min   int64 // for kindInt: 1 unless said otherwise (burst 0 is the default size)
	check func(any) error
	set   func(c host.Caller, v any) host.Caller
}

var callerKeys = []callerKey{
	{name: "token_sha256", min: 1, kind: kindString, check: checkTokenHash,
		set: func(c host.Caller, v any) host.Caller { c.TokenSHA256 = strings.ToLower(v.(string)); return c }},
	{name: "allow", min: 1, kind: kindList,
		set: func(c host.Caller, v any) host.Caller { c.Allow = v.([]string); return c }},
	{name: "admin", min: 1, kind: kindBool,
		set: func(c host.Caller, v any) host.Caller { c.Admin = v.(bool); return c }},
	{name: "rate", min: 1, kind: kindString, check: checkRate,
		set: func(c host.Caller, v any) host.Caller {
			r, _ := host.ParseRate(v.(string)) // checkRate has read it
			c.Rate.PerSecond = r.PerSecond
			return c
		}},
	{name: "burst", kind: kindInt, min: 0,
		set: func(c host.Caller, v any) host.Caller { c.Rate.Burst = int(v.(int64)); return c }},
}

const callersPrefix = "auth.callers."

func callerKeyNamed(name string) (callerKey, bool) {
	for _, k := range callerKeys {
		if k.name == name {
			return k, true
		}
	}
	return callerKey{}, false
}

func callerKeyNames() []string {
	out := make([]string, len(callerKeys))
	for i, k := range callerKeys {
		out[i] = k.name
	}
	return out
}

// setCaller sets one key of one caller, its value parsed and checked.
func (s *settings) setCaller(caller string, k callerKey, v any) {
	s.cfg = s.cfg.WithCaller(caller, func(c host.Caller) host.Caller { return k.set(c, v) })
}

// callers walks auth.callers in a configuration file.
func (w *fileWalker) callers(n *yaml.Node) {
	for _, kv := range w.pairs(n, "auth.callers") {
		nameNode, body := kv[0], kv[1]
		caller := strings.ToLower(nameNode.Value)
		if err := host.CheckCallerName(caller); err != nil {
			w.fail(nameNode, "%s%s: %v", callersPrefix, nameNode.Value, err)
			continue
		}
		prefix := callersPrefix + caller + "."
		pairs := w.pairs(body, callersPrefix+caller)
		if len(pairs) == 0 {
			w.fail(nameNode, "%s%s: a caller needs at least token_sha256 and allow", callersPrefix, caller)
		}
		for _, kv := range pairs {
			k, v := kv[0], kv[1]
			name := strings.ToLower(k.Value)
			ck, ok := callerKeyNamed(name)
			if !ok {
				w.fail(k, "unknown key %s%s%s", prefix, k.Value, suggestion(name, callerKeyNames(), prefix))
				continue
			}
			val, err := nodeValue(v, ck.kind, ck.min, 0, "")
			if err == nil && ck.check != nil {
				err = ck.check(val)
			}
			if err != nil {
				w.fail(v, "%s%s: %v", prefix, name, err)
				continue
			}
			w.s.setCaller(caller, ck, val)
		}
	}
}

// applyCallerVariable sets RPCHOST_AUTH_CALLERS_<NAME>_<KEY>; ok is false
// when name is not such a variable.
func (s *settings) applyCallerVariable(name, raw string) (ok bool, err error) {
	rest, ok := strings.CutPrefix(name, envPrefix+"AUTH_CALLERS_")
	if !ok {
		return false, nil
	}
	ks := slices.Clone(callerKeys)
	slices.SortStableFunc(ks, func(a, b callerKey) int { return len(b.name) - len(a.name) })
	for _, ck := range ks {
		caller, found := strings.CutSuffix(rest, "_"+strings.ToUpper(ck.name))
		if !found || caller == "" {
			continue
		}
		caller = strings.ToLower(caller)
		if err := host.CheckCallerName(caller); err != nil {
			return true, fmt.Errorf("%s: %s%s.%s: %w", name, callersPrefix, caller, ck.name, err)
		}
		v, err := parseValue(raw, ck.kind)
		if err == nil {
			err = checkRange(v, ck.min, 0, "")
		}
		if err == nil && ck.check != nil {
			err = ck.check(v)
		}
		if err != nil {
			return true, fmt.Errorf("%s: %s%s.%s: %w", name, callersPrefix, caller, ck.name, err)
		}
		s.setCaller(caller, ck, v)
		return true, nil
	}
	var known []string
	for _, ck := range callerKeys {
		known = append(known, "_"+strings.ToUpper(ck.name))
	}
	return true, fmt.Errorf("%s: unknown variable: want RPCHOST_AUTH_CALLERS_<NAME> followed by one of %s", name, strings.Join(known, ", "))
}

// uploadsEnabled says whether any token may upload: admin.token, or a
// caller with the admin right.
func (s *settings) uploadsEnabled() bool {
	if s.adminToken != "" {
		return true
	}
	for _, c := range s.cfg.Callers() {
		if c.Admin {
			return true
		}
	}
	return false
}

// checkTokenHash refuses what is not a SHA-256 in hex, and says what to
// do when it looks like the token itself was pasted.
func checkTokenHash(v any) error {
	s, _ := v.(string)
	if len(s) != 64 || strings.Trim(strings.ToLower(s), "0123456789abcdef") != "" {
		return errors.New("want the 64 hex digits of the token's SHA-256, as `rpchost hash-token` prints them (the token itself is never written in the configuration)")
	}
	return nil
}

// checkRate refuses a rate ParseRate cannot read.
func checkRate(v any) error {
	s, _ := v.(string)
	_, err := host.ParseRate(s)
	return err
}
