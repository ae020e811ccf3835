//go:build !wasip1

package main

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/store"
)

// The records plugin has two builds that must be the same service: this
// package (Go), and sdk/rust/examples/records (Rust), committed as
// sdk/rust/examples/records.wasm. Every behavioural test of this package,
// the golden test included, runs against both: the Go build natively
// through guest.Invoke and its in-memory store, the Rust build in a real
// host on a bbolt store.

// rustModule is the committed Rust build, from this directory.
const rustModule = "../../../sdk/rust/examples/records.wasm"

// A plugin is one build of the records plugin as a test drives it, on a
// store of its own that starts empty.
type plugin interface {
	// call runs a method; a fault is an *abi.Fault.
	call(method string, params ...any) (any, error)
	// reset empties the store.
	reset(t *testing.T)
	// dump lists every key of the plugin's store, in order, with its value.
	dump(t *testing.T) []guest.KV
	// manifest is the plugin's methods, as it describes them.
	manifest(t *testing.T) abi.Manifest
}

// eachBuild runs test against each build, as subtests "go" and "rust".
func eachBuild(t *testing.T, test func(t *testing.T, pl plugin)) {
	t.Run("go", func(t *testing.T) {
		pl := goPlugin{}
		pl.reset(t)
		test(t, pl)
	})
	t.Run("rust", func(t *testing.T) { test(t, newRustPlugin(t)) })
}

// goPlugin is this package, called natively through guest.Invoke, on the
// SDK's in-memory store.
type goPlugin struct{}

func (goPlugin) call(method string, params ...any) (any, error) {
	return guest.Invoke(method, params...)
}

func (goPlugin) reset(t *testing.T) {
	guest.ResetTestStore()
	t.Cleanup(guest.ResetTestStore)
}

func (goPlugin) dump(t *testing.T) []guest.KV {
	pairs, err := guest.KVScan("", 10000)
	if err != nil {
		t.Fatal(err)
	}
	return pairs
}

func (goPlugin) manifest(*testing.T) abi.Manifest { return guest.Manifest() }

// rustPlugin is the Rust build served by a host, as plugin "records", on
// a bbolt store.
type rustPlugin struct {
	h                   *host.Host
	pluginDir, storeDir string
}

func newRustPlugin(t *testing.T) *rustPlugin {
	t.Helper()
	wasm, err := os.ReadFile(rustModule)
	if err != nil {
		t.Fatalf("%v: run `go run ./examples/build sdk/rust/examples/records`", err)
	}
	r := &rustPlugin{pluginDir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(r.pluginDir, "records.wasm"), wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	r.reset(t)
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *rustPlugin) start(t *testing.T) {
	t.Helper()
	h, err := host.New(context.Background(), host.NewConfig().WithPluginDir(r.pluginDir).WithWatch(false, 0, 0).
		WithStore(host.StoreConfig{Driver: "bbolt", Target: r.storeDir}).
		WithPluginGrants("records", []string{"kv", "log"}))
	if err != nil {
		t.Fatalf("serve %s: %v", rustModule, err)
	}
	r.h = h
}

func (r *rustPlugin) stop(t *testing.T) {
	t.Helper()
	if r.h != nil {
		if err := r.h.Close(context.Background()); err != nil {
			t.Error(err)
		}
		r.h = nil
	}
}

// reset serves the module again on a new, empty store.
func (r *rustPlugin) reset(t *testing.T) {
	r.stop(t)
	r.storeDir = t.TempDir()
	r.start(t)
}

func (r *rustPlugin) call(method string, params ...any) (any, error) {
	v, err := r.h.Call(context.Background(), "records."+method, toABI(params).([]any))
	if err != nil {
		return nil, host.FaultOf(err)
	}
	return v, nil
}

// toABI turns the Go values the tests write (int, map[string]any) into
// the ABI's value set, as guest.Invoke does for the Go build: host.Call
// takes the value set only.
func toABI(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toABI(e)
		}
		return out
	case abi.Struct:
		out := make(abi.Struct, len(x))
		for i, m := range x {
			out[i] = abi.Member{Name: m.Name, Value: toABI(m.Value)}
		}
		return out
	case map[string]any:
		out := make(abi.Struct, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out = append(out, abi.Member{Name: k, Value: toABI(x[k])})
		}
		return out
	case nil:
		return nil
	}
	return v
}

// dump reads the store with the host closed (bbolt has one writer), then
// serves again from the same store.
func (r *rustPlugin) dump(t *testing.T) []guest.KV {
	r.stop(t)
	defer r.start(t)
	ctx := context.Background()
	s, err := store.Open(ctx, "bbolt", r.storeDir, store.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pairs, err := s.Scan(ctx, "records", "", "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]guest.KV, len(pairs))
	for i, p := range pairs {
		out[i] = guest.KV{Key: p.Key, Value: p.Value}
	}
	return out
}

// manifest rebuilds the manifest from system.methodHelp and
// system.methodSignature, which report what the module described.
func (r *rustPlugin) manifest(t *testing.T) abi.Manifest {
	ctx := context.Background()
	m := abi.Manifest{ABI: abi.Version}
	for _, p := range r.h.Plugins() {
		if p.Name != "records" {
			continue
		}
		for _, bare := range p.Methods {
			name := "records." + bare
			help, err := r.h.Call(ctx, "system.methodHelp", []any{name})
			if err != nil {
				t.Fatal(err)
			}
			sigs, err := r.h.Call(ctx, "system.methodSignature", []any{name})
			if err != nil {
				t.Fatal(err)
			}
			md := abi.MethodDesc{Name: bare, Help: help.(string)}
			if list, ok := sigs.([]any); ok {
				for _, s := range list {
					var sig []string
					for _, ty := range s.([]any) {
						sig = append(sig, ty.(string))
					}
					md.Signatures = append(md.Signatures, sig)
				}
			}
			m.Methods = append(m.Methods, md)
		}
	}
	return m
}
