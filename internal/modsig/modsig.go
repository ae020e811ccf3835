// Package modsig defines what a module signature is: an ed25519 signature
// over a domain-separation prefix followed by the 32 raw bytes of the
// module's SHA-256 digest. The host checks signatures with it and the
// rpchost command makes them, so both read the format from one place.
//
// The format is meant to be produced by other tools too (README, "Signed
// and pinned modules"):
//
//	message   = "rpchost module v1\n" || SHA-256(module)   (18 + 32 bytes)
//	signature = Ed25519(private key, message)              (64 bytes)
//	.sig file = base64 (standard, padded) of the 64 bytes, optionally
//	            followed by a newline; or the 64 raw bytes
//	key       = base64 of the 32-byte ed25519 public key
package modsig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// Prefix separates what rpchost signs from anything else signed with the
// same key: a signature over a module's digest cannot be replayed as a
// signature over some other 32-byte value in another protocol.
const Prefix = "rpchost module v1\n"

// MaxSignatureBytes bounds a signature as it is read from a file, an HTTP
// header or a parameter: a valid one is 64 raw bytes or 89 bytes of base64
// and a newline; the margin allows for CRLF and stray whitespace.
const MaxSignatureBytes = 4096

// ErrMalformed: the bytes are not a signature in either accepted encoding.
var ErrMalformed = errors.New("malformed signature")

// Message is what is signed for a module whose SHA-256 digest is digest.
func Message(digest [sha256.Size]byte) []byte {
	return append([]byte(Prefix), digest[:]...)
}

// Sign signs a module.
func Sign(key ed25519.PrivateKey, module []byte) []byte {
	return ed25519.Sign(key, Message(sha256.Sum256(module)))
}

// Encode is a signature as a .sig file holds it: base64 and a newline.
func Encode(sig []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(sig) + "\n")
}

// Parse reads a signature: exactly 64 raw bytes, or their base64 (standard
// alphabet, padded) with surrounding whitespace. A 64-byte input is taken
// as raw: the base64 of 64 bytes is 88 characters, so nothing is ambiguous.
func Parse(b []byte) ([]byte, error) {
	if len(b) > MaxSignatureBytes {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrMalformed, len(b), MaxSignatureBytes)
	}
	if len(b) == ed25519.SignatureSize {
		return b, nil
	}
	text := bytes.TrimSpace(b)
	if len(text) == 0 {
		return nil, fmt.Errorf("%w: it is empty", ErrMalformed)
	}
	sig, err := base64.StdEncoding.DecodeString(string(text))
	if err != nil {
		return nil, fmt.Errorf("%w: neither 64 raw bytes nor base64 (%v)", ErrMalformed, err)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: %d bytes once base64-decoded, an ed25519 signature has %d", ErrMalformed, len(sig), ed25519.SignatureSize)
	}
	return sig, nil
}

// ParsePublicKey reads a public key as `rpchost keygen` prints it: the
// standard base64 of the 32 raw bytes.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64: %v", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%d bytes once base64-decoded; an ed25519 public key has %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// EncodePublicKey is a public key as configuration holds it.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// Verify reports which of keys signed digest, or -1.
func Verify(keys []ed25519.PublicKey, digest [sha256.Size]byte, sig []byte) int {
	msg := Message(digest)
	for i, k := range keys {
		if ed25519.Verify(k, msg, sig) {
			return i
		}
	}
	return -1
}

// pemType is the PEM block of a PKCS #8 private key, as openssl writes it.
const pemType = "PRIVATE KEY"

// EncodePrivateKey is a private key as `rpchost keygen` writes it: PKCS #8
// in PEM, the form `openssl genpkey -algorithm ed25519` writes, so that
// keys move between rpchost and other tools unchanged.
func EncodePrivateKey(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der}), nil
}

// ParsePrivateKey reads a PKCS #8 PEM ed25519 private key.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != pemType {
		return nil, errors.New("not a PEM \"PRIVATE KEY\" block (rpchost keygen or openssl genpkey -algorithm ed25519 writes one)")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS #8 private key: %v", err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an ed25519 key", k)
	}
	return ek, nil
}
