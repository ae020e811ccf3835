// Package guest is the Go SDK for writing rpchost procedures: a plugin is a
// main package that registers handlers in init and is built as a WASI
// reactor.
//
//	package main
//
//	import "github.com/rpchost/rpchost/abi/guest"
//
//	func init() {
//		guest.Register("add", add, guest.Help("Adds two numbers, strings or arrays, like Python's +."),
//			guest.Signature("int", "int", "int"), guest.Signature("string", "string", "string"))
//	}
//
//	func add(p guest.Params) (any, error) {
//		if err := p.Want(2); err != nil {
//			return nil, err
//		}
//		a, err := p.Int(0)
//		if err != nil {
//			return nil, err
//		}
//		b, err := p.Int(1)
//		if err != nil {
//			return nil, err
//		}
//		return a + b, nil
//	}
//
//	func main() {}
//
// Build it with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugins/add.wasm ./path/to/add
//
// and drop the .wasm into the server's plugin directory; the host serves the
// method as "add.add" (plugin name, then method name).
//
// # What the SDK does for a handler
//
// Params arrive as values of the abi value set (int64, float64, string,
// []byte, time.Time, []any, abi.Struct, bool, nil); the typed accessors of
// Params check them and return faults a client can act on. A handler may
// return ordinary Go values: ints of every size, float32, slices and
// string-keyed maps of those are converted (see Register). A plain error
// becomes a fault with abi.CodeApplicationError; an *abi.Fault anywhere in
// the error chain is sent as it is; a panic is recovered and becomes an
// abi.CodeApplicationError fault "panic: ..." (its stack goes to stderr),
// and the instance stays usable.
//
// # Typed handlers: params read in place, results written directly
//
// Register's handlers get their params decoded into the value set and
// return a value that is converted and encoded: every int is boxed into an
// any, every struct becomes an abi.Struct, every string a copy. Inside wasm
// an allocation costs about half a microsecond, so for a method taking or
// returning thousands of values that is most of the call. RegisterTyped
// registers a TypedHandler instead, which reads its params in place, from
// the bytes of the call (Args, Value, and the Elems and Members iterators:
// ints, floats, times without allocating, strings as views or copies as
// asked), and writes its result straight into the Result with a Writer
// (arrays and structs of known length, then their values). Raw passes a
// param through without decoding it. The faults are those of Params,
// naming the element or member: "param 1[3].at: want dateTime.iso8601, got
// string". Each param is still checked in full before the handler runs,
// exactly as the host's decoder checks it, so a handler sees only valid
// values. Register stays the simpler choice for everything else; both
// kinds of method can live in one plugin, and the ABI does not change.
//
// # Plugin size
//
// wazero compiles a plugin's code each time rpchost loads it, so a plugin's
// size sets how long it takes to start and to reload. A Go wasip1 module
// that does nothing is 1.85 MB; one that imports time, as this SDK must for
// dateTime values, 2.1 MB; the add example is 2.5 MB. The SDK keeps to
// that by avoiding what costs most, and a plugin that uses it pays for it:
//
//	fmt                            +0.4 MB imported (it imports os), +0.76 MB called
//	os, runtime/debug              +0.4 MB imported
//	abi.Faultf                     +0.1 MB (a formatter that prints like fmt)
//	time.Parse, strings.Replacer   +50 KB, +25 KB
//
// Where size matters, build messages with strconv and return
// &abi.Fault{Code: ..., Message: ...}, as the example plugins do.
//
// # The ABI
//
// Importing the package makes the module export what package
// [github.com/rpchost/rpchost/abi] specifies for ABI version 1:
// rpchost_abi_version, rpchost_alloc, rpchost_describe and rpchost_call
// (plus the Go runtime's _initialize, which the host calls first). Those
// exports exist only when building for wasip1; on other platforms the
// package compiles without them, so a plugin's handlers can be unit-tested
// with go test, directly or through Invoke.
package guest
