// Package registry maps XML-RPC method names to the procedures that answer
// them. Readers never lock: every change publishes a new immutable table, so a
// hot reload swaps all of a plugin's methods at once and a call in flight
// keeps the procedure it looked up.
package registry

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// Method is one callable procedure.
type Method interface {
	Help() string
	// Signatures lists XML-RPC type names, return type first; nil when unknown.
	Signatures() [][]string
	Call(ctx context.Context, params []any) (any, error)
}

// EncodedParams is implemented by a Method that takes abi.Encoded params as
// they are: a guest's methods, which read MessagePack anyway. Every other
// Method is given Go values (see host's paramsFor).
type EncodedParams interface {
	TakesEncodedParams()
}

// EncodedResults is implemented by a Method that can return an array or
// struct result as an abi.Encoded, its checked MessagePack bytes, for a
// caller that writes them out as they are (the XML-RPC front end; see
// host's callMethod). Call returns Go values as always.
type EncodedResults interface {
	CallEncoded(ctx context.Context, params []any) (any, error)
}

// Entry is what a name resolves to.
type Entry struct {
	// Name is the name the entry was looked up by.
	Name string
	// Target is the qualified name that answers; it differs from Name for a
	// bare alias ("add" → "add.add").
	Target string
	// Plugin is the plugin that owns the method, or "" for a built-in.
	Plugin string
	Method Method
}

// IsAlias reports whether the entry is a bare name standing for Target.
func (e *Entry) IsAlias() bool { return e.Name != e.Target }

var (
	// ErrDuplicate is returned when a name is registered twice.
	ErrDuplicate = errors.New("name already registered")
	// ErrReserved is returned for a plugin whose name is taken by built-ins.
	ErrReserved = errors.New("plugin name is reserved")
)

// Conflict is a bare name that a plugin defines but another procedure
// answers.
type Conflict struct {
	// Name is the bare name ("add").
	Name string
	// Owner is the qualified name that answers it ("add.add").
	Owner string
	// Plugin is the plugin whose method did not get the bare name.
	Plugin string
	// Pinned: the owner was chosen by the configured aliases.
	Pinned bool
}

// Move is a bare name that changed hands because what answered it went
// away (its plugin was unloaded or no longer defines the method).
type Move struct {
	Name string
	// From and To are qualified names; To is "" when nothing answers the
	// bare name any more.
	From, To string
}

// Change is what one write did to bare names, as an observer sees it.
type Change struct {
	// Conflicts: for SetPlugin, the bare names the plugin defines but did
	// not get; for Settle, every conflict.
	Conflicts []Conflict
	Moves     []Move
	// Owners maps every owned bare name to its plugin; nil when the write
	// did not change who owns what.
	Owners map[string]string
}

// Registry is safe for concurrent use; Lookup is lock-free.
//
// The bare-name rule: a pinned alias answers its bare name; otherwise a
// bare name keeps its owner while the owner is loaded and defines it, and
// a bare name without an owner goes to the alphabetically first plugin
// that defines it. Because plugins arrive one at a time once the registry
// is settled, a new bare name goes to the first plugin to define it, and
// only the departure of its owner moves it.
type Registry struct {
	writeMu sync.Mutex // serializes writers; readers use current only
	current atomic.Pointer[table]

	builtins map[string]Method
	plugins  map[string]map[string]Method // plugin → method name inside it → method
	aliases  map[string]string            // configured bare name → qualified target; never changes after New
	reserved map[string]bool
	owners   map[string]string // bare name → plugin that answers it (aliases excluded)
	settled  bool              // false while the plugins of a start-up are arriving
	observe  func(Change)      // called under writeMu; nil for none

	// stale: a write of the start-up phase was not published yet (see
	// write). Set and cleared under writeMu; readers check it first.
	stale atomic.Bool
}

type table struct {
	entries  map[string]*Entry
	names    []string
	settling bool // published during a start-up phase
}

// New returns an empty registry. aliases pins bare names to qualified ones,
// overriding the owner rule; reserved names cannot be plugin names.
func New(aliases map[string]string, reserved ...string) *Registry {
	r := &Registry{
		builtins: map[string]Method{},
		plugins:  map[string]map[string]Method{},
		aliases:  map[string]string{},
		reserved: map[string]bool{},
		owners:   map[string]string{},
		settled:  true,
	}
	for k, v := range aliases {
		r.aliases[k] = v
	}
	for _, name := range reserved {
		r.reserved[name] = true
	}
	r.current.Store(&table{entries: map[string]*Entry{}})
	return r
}

// Observe sets the function told about conflicts, moves and new owners.
// It runs under the registry's write lock, in the order of the writes, so
// it may persist Owners without reordering; it must not call back into
// the registry's writers.
func (r *Registry) Observe(fn func(Change)) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	r.observe = fn
}

// Remember starts a start-up phase with the owners a previous process
// recorded. Until Settle, a remembered owner that has not been set yet
// keeps its bare name unanswered rather than let another plugin take it for
// a moment, and nothing is recorded or reported: the plugins of a start-up
// arrive in no meaningful order.
func (r *Registry) Remember(owners map[string]string) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	r.owners = maps.Clone(owners)
	if r.owners == nil {
		r.owners = map[string]string{}
	}
	r.settled = false
	r.publish("")
}

// Settle ends the start-up phase: remembered owners that are loaded keep
// their names, every other bare name goes to the alphabetically first
// plugin that defines it, and the observer hears every conflict and every
// remembered owner that lost its name.
func (r *Registry) Settle() {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if r.settled {
		return
	}
	remembered := maps.Clone(r.owners)
	r.settled = true
	ch := r.publish("")
	for name, p := range remembered {
		if now, ok := r.owners[name]; !ok || now != p {
			to := ""
			if e, ok := r.Lookup(name); ok {
				to = e.Target
			}
			ch.Moves = append(ch.Moves, Move{Name: name, From: p + "." + name, To: to})
		}
	}
	sort.Slice(ch.Moves, func(i, j int) bool { return ch.Moves[i].Name < ch.Moves[j].Name })
	r.tell(ch)
}

// Lookup resolves a method name.
func (r *Registry) Lookup(name string) (*Entry, bool) {
	e, ok := r.table().entries[name]
	return e, ok
}

// Names lists every callable name, aliases included, sorted.
func (r *Registry) Names() []string {
	return r.table().names
}

// table is the published table, first publishing the writes of the
// start-up phase that were not (see write).
func (r *Registry) table() *table {
	if r.stale.Load() {
		r.writeMu.Lock()
		if r.stale.Load() {
			r.tell(r.publish(""))
		}
		r.writeMu.Unlock()
	}
	return r.current.Load()
}

// write publishes what a writer changed, except during the start-up
// phase: then it only marks the table stale, and the next reader or Settle
// publishes it. publish rebuilds the whole table, so one per plugin made a
// start with 1,000 plugins cost a million entries and 1,000 sorts of the
// names, 1.2 s under the write lock that every load waits on; and before
// Settle a publish reports nothing (no conflicts, moves or owners), so
// nothing is lost by publishing once. set is the plugin just registered.
func (r *Registry) write(set string) {
	if !r.settled {
		r.stale.Store(true)
		return
	}
	r.tell(r.publish(set))
}

// Owners returns a copy of who owns each bare name (aliases excluded).
func (r *Registry) Owners() map[string]string {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return maps.Clone(r.owners)
}

// Conflicts lists, sorted, the bare names plugin defines but does not
// answer, as the registry stands now. It reads the published table only.
func (r *Registry) Conflicts(plugin string, methodNames []string) []Conflict {
	t := r.table()
	var out []Conflict
	for _, name := range methodNames {
		if q, ok := t.entries[plugin+"."+name]; !ok || q.Plugin != plugin {
			continue // not registered as this plugin's method
		}
		e, ok := t.entries[name]
		if !ok || e.Plugin == plugin && e.Target == plugin+"."+name {
			continue
		}
		_, pinned := r.aliases[name]
		out = append(out, Conflict{Name: name, Owner: e.Target, Plugin: plugin, Pinned: pinned})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RegisterBuiltin adds a method that belongs to no plugin (system.*).
func (r *Registry) RegisterBuiltin(name string, m Method) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if _, ok := r.builtins[name]; ok {
		return fmt.Errorf("register %s: %w", name, ErrDuplicate)
	}
	r.builtins[name] = m
	r.write("")
	return nil
}

// SetPlugin registers, or replaces at once, every method of one plugin.
func (r *Registry) SetPlugin(plugin string, methods map[string]Method) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if r.reserved[plugin] {
		return fmt.Errorf("plugin %q: %w", plugin, ErrReserved)
	}
	for name := range methods {
		if _, ok := r.builtins[plugin+"."+name]; ok {
			return fmt.Errorf("plugin %q method %q: %w", plugin, name, ErrDuplicate)
		}
	}
	r.plugins[plugin] = methods
	r.write(plugin)
	return nil
}

// RemovePlugin unregisters every method of plugin; it reports whether the
// plugin was registered.
func (r *Registry) RemovePlugin(plugin string) bool {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if _, ok := r.plugins[plugin]; !ok {
		return false
	}
	delete(r.plugins, plugin)
	r.write("")
	return true
}

func (r *Registry) tell(ch Change) {
	if r.observe != nil && (len(ch.Conflicts) > 0 || len(ch.Moves) > 0 || ch.Owners != nil) {
		r.observe(ch)
	}
}

// publish rebuilds the table from builtins, plugins, aliases and owners,
// records new owners once settled, and returns what changed. set is the
// plugin just registered, whose conflicts are reported; before Settle
// nothing is reported. Qualified names win over bare ones.
func (r *Registry) publish(set string) Change {
	old := r.current.Load()
	entries := make(map[string]*Entry, len(r.builtins)+2*len(r.plugins))
	for name, m := range r.builtins {
		entries[name] = &Entry{Name: name, Target: name, Method: m}
	}
	plugins := make([]string, 0, len(r.plugins))
	for p := range r.plugins {
		plugins = append(plugins, p)
	}
	sort.Strings(plugins)
	for _, p := range plugins {
		for name, m := range r.plugins[p] {
			q := p + "." + name
			entries[q] = &Entry{Name: q, Target: q, Plugin: p, Method: m}
		}
	}
	// Every plugin defining each bare name, alphabetically (plugins is sorted).
	candidates := map[string][]string{}
	for _, p := range plugins {
		for name := range r.plugins[p] {
			if _, qualified := entries[name]; !qualified {
				candidates[name] = append(candidates[name], p)
			}
		}
	}
	var ch Change
	report := func(name, owner, p string, pinned bool) {
		if r.settled && (set == "" && old.settling || p == set) {
			ch.Conflicts = append(ch.Conflicts, Conflict{Name: name, Owner: owner, Plugin: p, Pinned: pinned})
		}
	}
	owners := r.owners
	if r.settled {
		owners = map[string]string{}
	}
	for bare, target := range r.aliases {
		t, ok := entries[target]
		if _, qualified := entries[bare]; ok && !qualified {
			entries[bare] = &Entry{Name: bare, Target: target, Plugin: t.Plugin, Method: t.Method}
		}
		for _, p := range candidates[bare] {
			if !ok || p != t.Plugin {
				report(bare, target, p, true)
			}
		}
	}
	for bare, ps := range candidates {
		if _, pinned := r.aliases[bare]; pinned {
			continue
		}
		owner := r.owners[bare]
		if !slices.Contains(ps, owner) {
			if _, loaded := r.plugins[owner]; !r.settled && owner != "" && !loaded {
				continue // keep the name for its remembered owner, still loading
			}
			owner = ps[0]
		}
		if r.settled {
			owners[bare] = owner
		}
		entries[bare] = &Entry{Name: bare, Target: owner + "." + bare, Plugin: owner, Method: r.plugins[owner][bare]}
		for _, p := range ps {
			if p != owner {
				report(bare, owner+"."+bare, p, false)
			}
		}
	}
	if r.settled {
		if !maps.Equal(owners, r.owners) {
			ch.Owners = maps.Clone(owners)
		}
		r.owners = owners
		// A bare name that something answered and that now goes elsewhere,
		// or nowhere, moved; a name answered for the first time did not.
		if !old.settling {
			for name, e := range old.entries {
				if !e.IsAlias() {
					continue
				}
				if now, ok := entries[name]; !ok || now.Target != e.Target {
					to := ""
					if ok {
						to = now.Target
					}
					ch.Moves = append(ch.Moves, Move{Name: name, From: e.Target, To: to})
				}
			}
		}
	}
	sort.Slice(ch.Conflicts, func(i, j int) bool {
		a, b := ch.Conflicts[i], ch.Conflicts[j]
		return a.Name < b.Name || a.Name == b.Name && a.Plugin < b.Plugin
	})
	sort.Slice(ch.Moves, func(i, j int) bool { return ch.Moves[i].Name < ch.Moves[j].Name })
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	r.current.Store(&table{entries: entries, names: names, settling: !r.settled})
	// Only now: a reader that finds stale false must find this table.
	// Callers hold writeMu, so no write came in since the table was built.
	r.stale.Store(false)
	return ch
}
