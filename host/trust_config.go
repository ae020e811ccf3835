package host

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/rpchost/rpchost/internal/modsig"
)

// trustSettings are deploy.trusted_keys and deploy.allowed_sha256: which
// modules may be served at all (trust.go).
type trustSettings struct {
	keys    []string // base64 ed25519 public keys, as configured
	allowed []string // hex SHA-256 digests, as configured
}

// WithTrustedKeys sets the ed25519 public keys (each the base64 of its 32
// bytes, as `rpchost keygen` prints it) one of which must have signed
// every module served, uploaded or copied into the plugin directory
// (deploy.trusted_keys); none turns signatures off.
func (c Config) WithTrustedKeys(keys []string) Config {
	c.trust.keys = slices.Clone(keys)
	return c
}

// WithAllowedSHA256 pins the modules that may be served to these hex
// SHA-256 digests (deploy.allowed_sha256); none allows any digest.
func (c Config) WithAllowedSHA256(digests []string) Config {
	c.trust.allowed = slices.Clone(digests)
	return c
}

// TrustedKeys reports deploy.trusted_keys.
func (c Config) TrustedKeys() []string { return slices.Clone(c.trust.keys) }

// AllowedSHA256 reports deploy.allowed_sha256.
func (c Config) AllowedSHA256() []string { return slices.Clone(c.trust.allowed) }

// validate names each entry that is not a key or a digest, by its
// position and value (public values both: quoting them is safe).
func (t trustSettings) validate() []error {
	var errs []error
	for i, k := range t.keys {
		if _, err := modsig.ParsePublicKey(strings.TrimSpace(k)); err != nil {
			errs = append(errs, fmt.Errorf("deploy.trusted_keys: entry %d %q is not an ed25519 public key: %v (rpchost keygen prints one)", i+1, clipKey(k), err))
		}
	}
	for i, d := range t.allowed {
		if b, err := hex.DecodeString(strings.TrimSpace(d)); err != nil || len(b) != 32 {
			errs = append(errs, fmt.Errorf("deploy.allowed_sha256: entry %d %q is not a SHA-256 digest: want 64 hex digits (sha256sum prints them)", i+1, clipKey(d)))
		}
	}
	return errs
}

// clipKey keeps a wrong value quotable in one line of a start-up error.
func clipKey(s string) string { return clip(s, 100) }

// trustPolicy is trustSettings parsed once, by New.
type trustPolicy struct {
	keys    []ed25519.PublicKey
	allowed map[[32]byte]bool // nil: any digest
}

func (t trustSettings) policy() trustPolicy {
	var p trustPolicy
	for _, k := range t.keys {
		if pub, err := modsig.ParsePublicKey(strings.TrimSpace(k)); err == nil { // validate checked it
			p.keys = append(p.keys, pub)
		}
	}
	if len(t.allowed) > 0 {
		p.allowed = map[[32]byte]bool{}
		for _, d := range t.allowed {
			var sum [32]byte
			if _, err := hex.Decode(sum[:], []byte(strings.ToLower(strings.TrimSpace(d)))); err == nil {
				p.allowed[sum] = true
			}
		}
	}
	return p
}
