// Package abitest holds the tests of the Go SDK (module
// github.com/rpchost/rpchost/abi) that need server-side packages: the
// SDK's module depends on the standard library alone, tests included, so a
// check against an independent MessagePack library or a real wasm runtime
// lives here, in the server's module, which requires the SDK.
package abitest
