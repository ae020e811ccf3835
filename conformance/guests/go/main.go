// Command go is the conformance guest of the Go SDK (abi/guest): the
// plugin conformance/README.md specifies, which every SDK builds from
// conformance/guests/<language> into conformance/<language>.wasm and which
// `go test ./conformance` checks. Build it with `go run ./examples/build`.
//
// The help texts and signatures are the contract's, word for word: the
// suite compares them across languages.
package main

import "github.com/rpchost/rpchost/abi/guest"

func init() {
	guest.Register("echo", echo, guest.Help("Returns its param."))
	guest.Register("echo_all", echoAll, guest.Help("Returns its params as an array."))
	guest.Register("add", add, guest.Help("Adds two values like Python's +."),
		guest.Signature("int", "int", "int"), guest.Signature("double", "double", "double"),
		guest.Signature("string", "string", "string"), guest.Signature("array", "array", "array"))
	guest.Register("type_of", typeOf, guest.Help("Names the type of its param."))
	guest.Register("made", made, guest.Help("Returns one value of every type, made by the guest."),
		guest.Signature("struct"))
	guest.Register("fault", fault, guest.Help("Returns the fault it is asked for."),
		guest.Signature("nil", "int", "string"))
	guest.Register("trap", trap, guest.Help("Traps."), guest.Signature("nil"))

	guest.Register("kv_put", kvPut, guest.Help("Stores a value under a key."),
		guest.Signature("boolean", "string", "base64"))
	guest.Register("kv_get", kvGet, guest.Help("Reads the value stored under a key."),
		guest.Signature("base64", "string"))
	guest.Register("kv_delete", kvDelete, guest.Help("Deletes a key."), guest.Signature("boolean", "string"))
	guest.Register("kv_put_then_fault", kvPutThenFault, guest.Help("Stores a value, then fails."),
		guest.Signature("nil", "string", "base64"))
	guest.Register("kv_count", kvCount, guest.Help("Counts calls under a name."), guest.Signature("int", "string"))

	guest.Register("config", config, guest.Help("Reads the plugin's configuration."))
	guest.Register("now", now, guest.Help("Returns the host's clock."), guest.Signature("dateTime.iso8601"))
	guest.Register("log", logMessage, guest.Help("Logs a message."), guest.Signature("boolean", "string"))
}

func main() {}
