package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rpchost/rpchost/internal/modsig"
	"github.com/rpchost/rpchost/internal/regularfile"
)

// Sentinel errors of trust in what is deployed (deploy.allowed_sha256,
// deploy.trusted_keys). An upload refused with one of them was neither
// compiled nor stored; a file of the plugin directory refused with one is
// listed as refused, and the method-not-found fault of its methods says why.
var (
	// ErrNotPinned: deploy.allowed_sha256 is set and the module's digest
	// is not in it.
	ErrNotPinned = errors.New("module not allowed by deploy.allowed_sha256")
	// ErrUnsigned: deploy.trusted_keys is set and the module carries no
	// signature.
	ErrUnsigned = errors.New("module not signed")
	// ErrBadSignature: the module's signature is malformed, or no key of
	// deploy.trusted_keys made it over this module's digest.
	ErrBadSignature = errors.New("module signature refused")
)

// sigExt is the extension of a module's detached signature in the plugin
// directory: NAME.wasm.sig beside NAME.wasm.
const sigExt = wasmExt + ".sig"

// SignatureHeader carries an upload's signature on PUT /plugins/NAME.wasm:
// the base64 of the 64 signature bytes, as a .sig file holds it.
const SignatureHeader = "X-Rpchost-Signature"

// Label values of rpchost_plugin_refusals_total.
const (
	refusalUnsigned     = "unsigned"
	refusalBadSignature = "bad_signature"
	refusalNotPinned    = "not_pinned"
)

// trustGate holds the parsed policy and counts what it refuses.
type trustGate struct {
	policy   trustPolicy
	refusals *prometheus.CounterVec // reason
}

func newTrustGate(t trustSettings, reg *prometheus.Registry) *trustGate {
	g := &trustGate{policy: t.policy(), refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rpchost_plugin_refusals_total",
		Help: "Modules refused because they are not pinned (deploy.allowed_sha256) or not signed by a key of deploy.trusted_keys, uploads and directory files alike, by reason.",
	}, []string{"reason"})}
	for _, r := range []string{refusalUnsigned, refusalBadSignature, refusalNotPinned} {
		g.refusals.WithLabelValues(r) // every series from the start, at 0
	}
	reg.MustRegister(g.refusals)
	return g
}

// signaturesRequired reports whether every module needs a signature.
func (g *trustGate) signaturesRequired() bool { return len(g.policy.keys) > 0 }

// check refuses a module the policy does not allow: its digest unpinned,
// its signature missing, malformed or made by no trusted key. sig is the
// signature as received (nil: none); from says where it came from and how
// to supply one, for the messages. It runs before anything is compiled.
func (g *trustGate) check(digest [sha256.Size]byte, sig []byte, from, howToSign string) error {
	hexDigest := hex.EncodeToString(digest[:])
	if g.policy.allowed != nil && !g.policy.allowed[digest] {
		return fmt.Errorf("%w: sha256 %s is not one of its %d digests", ErrNotPinned, hexDigest, len(g.policy.allowed))
	}
	if sig == nil {
		if g.signaturesRequired() {
			return fmt.Errorf("%w: deploy.trusted_keys is set, so every module needs a signature by one of its keys (sha256 %s): %s", ErrUnsigned, hexDigest, howToSign)
		}
		return nil
	}
	raw, err := modsig.Parse(sig)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBadSignature, from, err)
	}
	if g.signaturesRequired() && modsig.Verify(g.policy.keys, digest, raw) < 0 {
		return fmt.Errorf("%w: %s does not verify for sha256 %s with any of the %d keys of deploy.trusted_keys: it was made by another key, or for another module", ErrBadSignature, from, hexDigest, len(g.policy.keys))
	}
	return nil
}

// counted counts err in rpchost_plugin_refusals_total when the policy
// refused it.
func (g *trustGate) counted(err error) {
	if r := refusalReason(err); r != "" {
		g.refusals.WithLabelValues(r).Inc()
	}
}

func refusalReason(err error) string {
	switch {
	case errors.Is(err, ErrNotPinned):
		return refusalNotPinned
	case errors.Is(err, ErrUnsigned):
		return refusalUnsigned
	case errors.Is(err, ErrBadSignature):
		return refusalBadSignature
	}
	return ""
}

// checkFile applies the policy to a file of the plugin directory whose
// bytes hash to digest: its signature is NAME.wasm.sig beside it.
func (h *Host) checkFile(name string, digest [sha256.Size]byte) error {
	if h.trust.policy.allowed == nil && !h.trust.signaturesRequired() {
		return nil // the default: no policy, no signature file read
	}
	sig, err := readSignature(filepath.Join(h.cfg.pluginDir, name+sigExt))
	if err != nil {
		return err
	}
	if !h.trust.signaturesRequired() {
		sig = nil // pinning only: a signature beside the module is not looked at
	}
	return h.trust.check(digest, sig, "the signature file "+name+sigExt,
		fmt.Sprintf("put %s beside it (rpchost sign KEY %s writes it)", name+sigExt, name+wasmExt))
}

// readSignature reads a .sig file, at most modsig.MaxSignatureBytes of it;
// a missing file is no signature (nil).
func readSignature(path string) ([]byte, error) {
	// Like the modules (scanDir), only a regular file: a FIFO would block
	// the load for good, a symlink could point anywhere.
	st, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	b, err := regularfile.Read(path, modsig.MaxSignatureBytes) // checked again on the file opened
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if b == nil {
		b = []byte{} // an empty file is a signature, a malformed one
	}
	return b, nil
}

// moduleStat is a module file's fileStat. When signatures are required it
// includes the stat of NAME.wasm.sig, so that a signature that appears,
// changes or goes away makes the watcher look at the module again.
func (h *Host) moduleStat(name string, info os.FileInfo) fileStat {
	st := fileStat{size: info.Size(), modTime: info.ModTime()}
	st.id, _ = fileIDOf(info)
	if !h.trust.signaturesRequired() {
		return st
	}
	st.sigSize = -1 // absent: differs from every file, an empty one included
	if sig, err := os.Lstat(filepath.Join(h.cfg.pluginDir, name+sigExt)); err == nil {
		st.sigSize, st.sigModTime = sig.Size(), sig.ModTime()
	}
	return st
}

// writeSignature writes an uploaded module's signature beside it, through
// a hidden temporary file and a rename, before the module itself: the
// watcher then never sees the new module without its signature. An upload
// without a signature removes the old one, which belongs to another
// module. Callers hold installMu.
func (h *Host) writeSignature(name string, sig []byte) error {
	if sig == nil {
		return removeSignature(h.cfg.pluginDir, name)
	}
	raw, err := modsig.Parse(sig) // check parsed it already
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	f, err := os.CreateTemp(h.cfg.pluginDir, ".upload-"+name+"-sig-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name+sigExt, err)
	}
	tmp := f.Name()
	_, err = f.Write(modsig.Encode(raw))
	err = errors.Join(err, f.Sync(), f.Close(), os.Chmod(tmp, 0o644))
	final := filepath.Join(h.cfg.pluginDir, name+sigExt)
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", final, err)
	}
	return nil
}

// removeSignature deletes a module's signature file, if there is one.
func removeSignature(dir, name string) error {
	err := os.Remove(filepath.Join(dir, name+sigExt))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", name+sigExt, err)
	}
	return nil
}

// callerName is who the audit trail says attempted an administration: the
// auth.callers name, "admin" for the admin token, "in-process" for a Go
// program, else "anonymous".
func (h *Host) callerName(ctx context.Context) string {
	id, err := h.identify(ctx)
	switch {
	case err != nil:
		return "unknown"
	case id.trusted:
		return "in-process"
	}
	return id.name()
}
