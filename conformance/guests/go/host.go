package main

import "github.com/rpchost/rpchost/abi/guest"

// The methods that use the host's other capabilities: configuration,
// clock and log.

func config(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	key, err := p.String(0)
	if err != nil {
		return nil, err
	}
	v, _, err := guest.Config(key) // not found is nil
	return v, err
}

func now(p guest.Params) (any, error) {
	if err := p.Want(0); err != nil {
		return nil, err
	}
	return guest.Now().UTC(), nil
}

func logMessage(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	msg, err := p.String(0)
	if err != nil {
		return nil, err
	}
	guest.Log(guest.LevelInfo, msg)
	return true, nil
}
