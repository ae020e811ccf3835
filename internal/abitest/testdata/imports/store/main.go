// A guest that writes; TestImportsFollowUse builds it.
package main

import "github.com/rpchost/rpchost/abi/guest"

func init() {
	guest.Register("put", func(p guest.Params) (any, error) { return nil, guest.KVPut("k", nil) })
}

func main() {}
