// Command kvprobe is a test plugin that reads and writes its own key-value
// store with keys chosen by the caller, so that the end-to-end tests can
// check that one plugin cannot reach another's keys. Built by records_test.go:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o kvprobe.wasm ./testdata/kvprobe
package main

import "github.com/rpchost/rpchost/abi/guest"

func init() {
	guest.Register("put", put, guest.Help("Stores value under key in kvprobe's own store; returns true."),
		guest.Signature("boolean", "string", "string"))
	guest.Register("get", get, guest.Help("Returns the value of key in kvprobe's own store, or \"\" when there is none."),
		guest.Signature("string", "string"))
}

func put(p guest.Params) (any, error) {
	if err := p.Want(2); err != nil {
		return nil, err
	}
	key, err := p.String(0)
	if err != nil {
		return nil, err
	}
	value, err := p.String(1)
	if err != nil {
		return nil, err
	}
	return true, guest.KVPut(key, []byte(value))
}

func get(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	key, err := p.String(0)
	if err != nil {
		return nil, err
	}
	v, _, err := guest.KVGet(key)
	return string(v), err
}

func main() {}
