// Command up-v2 is version 2 of the deploy walkthrough's module (see ../up):
// copied over plugins/up.wasm, it makes up.answer return 2.
package main

import "github.com/rpchost/rpchost/abi/guest"

func init() {
	guest.Register("answer", func(guest.Params) (any, error) { return 2, nil },
		guest.Help("Version 2 of the deploy walkthrough's module: answers 2."),
		guest.Signature("int"))
}

func main() {}
