// Package smallfmt formats the way package fmt does, for the verbs, flags
// and operands that messages use, without importing fmt.
//
// Package abi is linked into every Go plugin, and a plugin's size is what
// wazero compiles each time it loads one. Importing fmt adds about 0.4 MB
// to a wasm module even when nothing calls it (fmt imports os, whose
// package initialization the linker cannot drop), and about 0.76 MB once
// Sprintf is called, most of it reflection-driven printing that fault
// messages never need. So abi.Faultf formats with this package's Sprintf,
// which adds about 0.1 MB to the plugins that call it, and the guest SDK
// prints panic values and log attributes with its Sprint, about 15 KB.
// Code linked into every plugin builds its messages with strconv instead.
//
// For what it supports, the output is fmt's, byte for byte (the tests
// compare the two): the verbs v s q d b o O x X c U t e E f F g G T and %%,
// the flags + - # space and 0, width and precision (literal or *), and the
// operands nil, bool, every integer, float and complex type (named ones
// too), string, []byte, []string, []any, and any value with an Error or
// String method. The problem markers (%!d(string=x), %!v(MISSING),
// %!(EXTRA ...)) are fmt's too.
//
// What it does not support is rendered as %!verb(type), so that the gap
// shows rather than differing silently: argument indexes (%[2]d), %p, %#v
// of anything but a predeclared type, # with a float, and operands that
// need reflection to print (structs, maps, pointers, other slices) unless
// they have an Error or String method. A value implementing fmt.Formatter
// is printed through Error or String, since its Format method needs
// fmt.State.
package smallfmt
