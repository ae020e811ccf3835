package guest

import (
	"errors"
	"slices"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/internal/smallfmt"
)

// A Handler implements one method. It returns the method's result (a value
// Register's documentation lists) or an error that becomes a fault.
type Handler func(Params) (any, error)

// An Option adds introspection data to a method at Register.
type Option func(*method)

// Help sets the text system.methodHelp returns for the method.
func Help(text string) Option {
	return func(m *method) { m.help = text }
}

// Signature adds one signature for system.methodSignature: XML-RPC type
// names (abi.TypeNames), the return type first. Repeat it for a method
// that accepts several combinations of types.
//
// It is not inlined: each inlined call would compile its own copy of the
// closure, 0.8 KB of wasm per signature a plugin declares.
//
//go:noinline
func Signature(types ...string) Option {
	return func(m *method) { m.signatures = append(m.signatures, slices.Clone(types)) }
}

// method is one registered method.
type method struct {
	name       string
	help       string
	signatures [][]string
	handler    Handler
	typed      TypedHandler // instead of handler, for RegisterTyped
}

// registry holds the methods of a module. The ABI never calls a module
// concurrently, so it has no lock; Register runs during init.
type registry struct {
	methods  map[string]*method
	list     []*method // the same, sorted by name, for describe and for a linear lookup when there are few
	manifest []byte    // encoded on first describe; Register clears it
	params   []any     // the params of the call under way; its array is reused
	at       int       // where a typed method's params start in the Call (parseCall)
	count    uint64    // how many there are
	offs     []int32   // where each param starts, for a typed handler; reused
	w        Writer    // a typed handler's result writer; reused
}

// std is the module's registry, the one the exports use.
var std = &registry{methods: map[string]*method{}}

// Register makes h callable as name. Call it from an init function.
//
// name must be a valid method name (abi.CheckMethodName: A-Z a-z 0-9 _ . : /,
// not starting with "_") and not registered already; each Signature must
// use XML-RPC type names. A mistake there is a bug in the plugin, so
// Register panics, which fails the module at load with the message.
//
// The handler's result is converted to the value set: nil, bool, string,
// []byte, time.Time, abi.Struct and []any pass as they are (their elements
// converted in turn); int, int8, int16, int32, int64, uint, uint8, uint16,
// uint32 and uint64 (up to 2^63-1) become int64; float32 and float64 become
// float64 (NaN and infinities are refused: XML-RPC cannot carry them);
// slices of string, int, int32, int64, uint32, float32, float64, bool,
// []byte, time.Time, []any, abi.Struct and map[string]any become []any;
// map[string]T for T any, string, int, int64, float64, bool, []any and
// abi.Struct becomes an abi.Struct sorted by key. Any other type (named
// types included: no reflection is used) is a fault with
// abi.CodeInternalError that names it.
func Register(name string, h Handler, opts ...Option) {
	if err := std.register(name, h, opts...); err != nil {
		panic("guest.Register: " + err.Error())
	}
}

func (r *registry) register(name string, h Handler, opts ...Option) error {
	if h == nil {
		return errors.New("method " + name + ": handler is nil")
	}
	return r.add(&method{name: name, handler: h}, opts)
}

// add registers m, whose handler is set, after checking it and its options.
func (r *registry) add(m *method, opts []Option) error {
	name := m.name
	if err := abi.CheckDeclaredMethodName(name); err != nil {
		return err
	}
	if _, dup := r.methods[name]; dup {
		return errors.New("method " + name + " is registered twice")
	}
	for _, o := range opts {
		o(m)
	}
	if !utf8.ValidString(m.help) {
		return errors.New("method " + name + ": help text is not valid UTF-8")
	}
	for _, sig := range m.signatures {
		if err := abi.CheckSignature(sig); err != nil {
			return smallfmt.Wrap("method "+name+": "+err.Error(), err)
		}
	}
	r.methods[name] = m
	// Keep list sorted by name, for describe.
	i := len(r.list)
	for i > 0 && r.list[i-1].name > name {
		i--
	}
	r.list = append(r.list, nil)
	copy(r.list[i+1:], r.list[i:])
	r.list[i] = m
	r.manifest = nil
	return nil
}

// lookup finds a method without copying name. A plugin has a handful of
// methods: comparing lengths, then bytes, beats hashing in wasm, where each
// runtime call is dear. Larger plugins use the map.
func (r *registry) lookup(name []byte) *method {
	if len(r.list) > 8 {
		return r.methods[string(name)] // the compiler does not copy here either
	}
	for _, m := range r.list {
		if len(m.name) == len(name) && m.name == string(name) {
			return m
		}
	}
	return nil
}

// Manifest returns the description of every registered method, sorted by
// name, as rpchost_describe reports it.
func Manifest() abi.Manifest { return std.describe() }

func (r *registry) describe() abi.Manifest {
	m := abi.Manifest{ABI: abi.Version, Methods: make([]abi.MethodDesc, 0, len(r.list))}
	for _, md := range r.list { // sorted by name
		m.Methods = append(m.Methods, abi.MethodDesc{Name: md.name, Help: md.help, Signatures: md.signatures})
	}
	return m
}

// encodedManifest returns the manifest as rpchost_describe returns it,
// encoding it once.
func (r *registry) encodedManifest() []byte {
	if r.manifest == nil {
		b, err := abi.AppendManifest(nil, r.describe())
		if err != nil {
			// Register checked every name and signature.
			panic("guest: cannot encode the manifest: " + err.Error())
		}
		r.manifest = b
	}
	return r.manifest
}
