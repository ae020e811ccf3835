// A guest that never touches the store; TestImportsFollowUse builds it.
package main

import "github.com/rpchost/rpchost/abi/guest"

func init() {
	guest.Register("hi", func(p guest.Params) (any, error) { return "hi", nil })
}

func main() {}
