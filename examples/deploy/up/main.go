// Command up is version 1 of the module README's deploy walkthrough copies
// into a running server's plugin directory, replaces with version 2
// (../up-v2) and uploads: up.answer returns 1 here and 2 there, so each
// step shows which version serves. The built modules, examples/deploy/up.wasm
// and up-v2.wasm, sit here rather than in plugins/ so that a server started
// with the defaults does not serve them. Rebuild with
// `go run ./examples/build up up-v2`.
package main

import "github.com/rpchost/rpchost/abi/guest"

func init() {
	guest.Register("answer", func(guest.Params) (any, error) { return 1, nil },
		guest.Help("Version 1 of the deploy walkthrough's module: answers 1."),
		guest.Signature("int"))
}

func main() {}
