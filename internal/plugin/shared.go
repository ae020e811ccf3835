package plugin

import (
	"context"
	"errors"
	"sync"

	"github.com/tetratelabs/wazero"

	"github.com/rpchost/rpchost/abi"
)

// sharedModules lets plugins whose files hold the same bytes share one
// compiled module. wazero already shares the machine code of identical
// modules, but every CompiledModule keeps its own decoded copy of the
// module (5.5 MiB for a 3 MB Go guest: function bodies and data), so a
// hundred copies of one plugin cost 550 MiB for nothing.
type sharedModules struct {
	mu      sync.Mutex
	modules map[sharedKey]*sharedModule
}

// sharedKey names a module: its digest, within the wazero runtime (one per
// memory limit) that compiled it.
type sharedKey struct {
	pages  uint32
	digest string
}

type sharedModule struct {
	compiled wazero.CompiledModule
	refs     int
	// manifests are the methods an SDK module described, by describeKey
	// (see Plugin.describeKey), so that a copy of a module loaded with the
	// same settings does not run it again to learn what it already said.
	manifests map[string]*description
}

// description is one module's manifest for one describeKey: described by
// the first plugin to need it, awaited by copies loading meanwhile.
type description struct {
	done  chan struct{} // closed once descs or err is set
	descs []abi.MethodDesc
	err   error
	by    string // the plugin that described it
}

// describing returns the description of the module under key for the
// settings dkey, and whether the caller is the one to describe the module
// and then call finish. It returns nil when the module is not shared.
func (s *sharedModules) describing(key sharedKey, dkey, plugin string) (d *description, owner bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.modules[key]
	if m == nil {
		return nil, false
	}
	if d := m.manifests[dkey]; d != nil {
		return d, false
	}
	if m.manifests == nil {
		m.manifests = map[string]*description{}
	}
	d = &description{done: make(chan struct{}), by: plugin}
	m.manifests[dkey] = d
	return d, true
}

// finish records what the owner of d described, or why it could not. The
// copies waiting meanwhile get the same answer; a failure is then
// forgotten, so that a copy loaded later tries again itself.
func (s *sharedModules) finish(key sharedKey, dkey string, d *description, descs []abi.MethodDesc, err error) {
	s.mu.Lock()
	d.descs, d.err = descs, err
	if m := s.modules[key]; err != nil && m != nil && m.manifests[dkey] == d {
		delete(m.manifests, dkey)
	}
	s.mu.Unlock()
	close(d.done)
}

// get returns the compiled module for key, compiling it with compile when
// no plugin holds it, and a release to call when the plugin is done with
// it. An empty digest shares nothing. Two loads of the same new module may
// both compile; the second keeps the first's and closes its own.
func (s *sharedModules) get(ctx context.Context, key sharedKey, compile func() (wazero.CompiledModule, error)) (wazero.CompiledModule, func(context.Context) error, error) {
	if key.digest == "" {
		compiled, err := compile()
		if err != nil {
			return nil, nil, err
		}
		return compiled, compiled.Close, nil
	}
	if m := s.acquire(key); m != nil {
		return m.compiled, s.releaser(key, m), nil
	}
	compiled, err := compile()
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	m, ok := s.modules[key]
	if !ok {
		m = &sharedModule{compiled: compiled}
		if s.modules == nil {
			s.modules = map[sharedKey]*sharedModule{}
		}
		s.modules[key] = m
	}
	m.refs++
	s.mu.Unlock()
	release := s.releaser(key, m)
	if ok {
		if err := compiled.Close(ctx); err != nil {
			return nil, nil, errors.Join(err, release(ctx))
		}
	}
	return m.compiled, release, nil
}

func (s *sharedModules) acquire(key sharedKey) *sharedModule {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.modules[key]
	if m != nil {
		m.refs++
	}
	return m
}

// releaser returns a function dropping one reference to m, closing the
// compiled module with the last one. It is safe to call more than once.
func (s *sharedModules) releaser(key sharedKey, m *sharedModule) func(context.Context) error {
	var once sync.Once
	return func(ctx context.Context) error {
		var err error
		once.Do(func() {
			s.mu.Lock()
			m.refs--
			last := m.refs == 0
			if last {
				delete(s.modules, key)
			}
			s.mu.Unlock()
			if last {
				err = m.compiled.Close(ctx)
			}
		})
		return err
	}
}
