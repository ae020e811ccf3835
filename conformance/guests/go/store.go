package main

import (
	"strconv"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

// The methods that use the plugin's key-value store: a call's writes are
// committed only when it returns a result.

func kvPut(p guest.Params) (any, error) {
	if err := p.Want(2); err != nil {
		return nil, err
	}
	key, err := p.String(0)
	if err != nil {
		return nil, err
	}
	value, err := p.Bytes(1)
	if err != nil {
		return nil, err
	}
	if err := guest.KVPut(key, value); err != nil {
		return nil, err
	}
	return true, nil
}

func kvGet(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	key, err := p.String(0)
	if err != nil {
		return nil, err
	}
	value, found, err := guest.KVGet(key)
	if err != nil || !found {
		return nil, err
	}
	if value == nil { // stored empty: still a value, not "none"
		value = []byte{}
	}
	return value, nil
}

func kvDelete(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	key, err := p.String(0)
	if err != nil {
		return nil, err
	}
	if err := guest.KVDelete(key); err != nil {
		return nil, err
	}
	return true, nil
}

func kvPutThenFault(p guest.Params) (any, error) {
	if _, err := kvPut(p); err != nil {
		return nil, err
	}
	return nil, &abi.Fault{Code: 1, Message: "discarded"}
}

// kvCount keeps its counter as decimal digits.
func kvCount(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	name, err := p.String(0)
	if err != nil {
		return nil, err
	}
	stored, found, err := guest.KVGet(name)
	if err != nil {
		return nil, err
	}
	var n int64
	if found {
		if n, err = strconv.ParseInt(string(stored), 10, 64); err != nil {
			return nil, &abi.Fault{Code: abi.CodeApplicationError,
				Message: "kv_count: the value under " + strconv.Quote(name) + " is not a counter"}
		}
	}
	n++
	if err := guest.KVPut(name, strconv.AppendInt(nil, n, 10)); err != nil {
		return nil, err
	}
	return n, nil
}
