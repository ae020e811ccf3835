package main

import (
	"errors"
	"strings"
)

// checkAdminToken refuses an admin.token that only looks set. A token of
// spaces would turn uploads on behind a password anyone can guess, and
// whitespace around a token is what a copy-paste adds and what some clients
// and proxies strip, so the server would refuse the real token or accept a
// different one. Empty (uploads off) is fine.
func checkAdminToken(v any) error {
	t, _ := v.(string)
	switch trimmed := strings.TrimSpace(t); {
	case t == "":
		return nil
	case trimmed == "":
		return errors.New("the token is only whitespace: leave it empty to turn uploads off, or give a secret")
	case trimmed != t:
		return errors.New("the token has leading or trailing whitespace: remove it")
	}
	return nil
}
