package plugin

import (
	"fmt"

	"github.com/rpchost/rpchost/abi"
)

// Manifest limits. A manifest is untrusted input like the module: every
// method it lists is kept, listed by system.listMethods (which anyone may
// call), sorted and logged, so a guest declaring 1,000,000 methods took
// +1.5 GB to load and made system.listMethods answer 95 MB. A plugin may
// declare no more methods than a module may export (the interrupt
// package's limit of 10,000 exports), and the other sizes are bounded
// far above what a person writes.
const (
	// maxManifestBytes bounds the encoded manifest, before it is decoded:
	// decoding holds a few times its size (3.3 times for 10,000 methods
	// with help, measured in manifest_test.go; more for tiny values).
	maxManifestBytes = 4 << 20
	// maxMethods bounds the methods one plugin declares.
	maxMethods = 10_000
	// maxHelpBytes bounds one method's help text.
	maxHelpBytes = 16 << 10
	// maxSignatures bounds one method's signatures, and maxSignatureTypes
	// the types in one signature (the result and the parameters).
	maxSignatures     = 64
	maxSignatureTypes = 64
)

// decodeManifest decodes what rpchost_describe returned, refusing with
// ErrManifestLimit a manifest over one of the limits, naming the limit and
// the figure.
func decodeManifest(b []byte) (abi.Manifest, error) {
	if len(b) > maxManifestBytes {
		return abi.Manifest{}, fmt.Errorf("%w: %d bytes, the limit is %d", ErrManifestLimit, len(b), maxManifestBytes)
	}
	m, err := abi.DecodeManifest(b)
	if err != nil {
		return m, err
	}
	if n := len(m.Methods); n > maxMethods {
		return abi.Manifest{}, fmt.Errorf("%w: %d methods, the limit is %d", ErrManifestLimit, n, maxMethods)
	}
	for _, d := range m.Methods {
		if n := len(d.Help); n > maxHelpBytes {
			return abi.Manifest{}, fmt.Errorf("%w: method %q has %d bytes of help, the limit is %d", ErrManifestLimit, d.Name, n, maxHelpBytes)
		}
		if n := len(d.Signatures); n > maxSignatures {
			return abi.Manifest{}, fmt.Errorf("%w: method %q has %d signatures, the limit is %d", ErrManifestLimit, d.Name, n, maxSignatures)
		}
		for _, sig := range d.Signatures {
			if n := len(sig); n > maxSignatureTypes {
				return abi.Manifest{}, fmt.Errorf("%w: method %q has a signature of %d types, the limit is %d", ErrManifestLimit, d.Name, n, maxSignatureTypes)
			}
		}
	}
	return m, nil
}
