// Package registry maps XML-RPC method names to the procedures that answer
// them. Readers never lock: every change publishes a new immutable table, so a
// hot reload swaps all of a plugin's methods at once and a call in flight
// keeps the procedure it looked up.
package registry

import (
	"context"
	"errors"
	"fmt"
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

// Registry is safe for concurrent use; Lookup is lock-free.
type Registry struct {
	writeMu sync.Mutex // serializes writers; readers use current only
	current atomic.Pointer[table]

	builtins map[string]Method
	plugins  map[string]map[string]Method // plugin → method name inside it → method
	aliases  map[string]string            // configured bare name → qualified target
	reserved map[string]bool
}

type table struct {
	entries map[string]*Entry
	names   []string
}

// New returns an empty registry. aliases pins bare names to qualified ones,
// overriding the alphabetical rule; reserved names cannot be plugin names.
func New(aliases map[string]string, reserved ...string) *Registry {
	r := &Registry{
		builtins: map[string]Method{},
		plugins:  map[string]map[string]Method{},
		aliases:  map[string]string{},
		reserved: map[string]bool{},
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

// Lookup resolves a method name.
func (r *Registry) Lookup(name string) (*Entry, bool) {
	e, ok := r.current.Load().entries[name]
	return e, ok
}

// Names lists every callable name, aliases included, sorted.
func (r *Registry) Names() []string {
	return r.current.Load().names
}

// RegisterBuiltin adds a method that belongs to no plugin (system.*).
func (r *Registry) RegisterBuiltin(name string, m Method) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if _, ok := r.builtins[name]; ok {
		return fmt.Errorf("register %s: %w", name, ErrDuplicate)
	}
	r.builtins[name] = m
	r.publish()
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
	r.publish()
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
	r.publish()
	return true
}

// publish rebuilds the table from builtins and plugins. Qualified names win
// over bare aliases; a bare name goes to its configured target, or else to
// the alphabetically first plugin that defines it.
func (r *Registry) publish() {
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
	for bare, target := range r.aliases {
		if t, ok := entries[target]; ok && entries[bare] == nil {
			entries[bare] = &Entry{Name: bare, Target: target, Plugin: t.Plugin, Method: t.Method}
		}
	}
	for _, p := range plugins {
		for name, m := range r.plugins[p] {
			if _, taken := entries[name]; taken {
				continue
			}
			entries[name] = &Entry{Name: name, Target: p + "." + name, Plugin: p, Method: m}
		}
	}
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	r.current.Store(&table{entries: entries, names: names})
}
