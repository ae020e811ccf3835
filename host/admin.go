package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rpchost/rpchost/internal/deploy"
	"github.com/rpchost/rpchost/internal/modsig"
	"github.com/rpchost/rpchost/internal/plugin"
)

// Sentinel errors of plugin administration.
var (
	// ErrAdminDisabled: no admin token is configured, so uploads and
	// removals are refused.
	ErrAdminDisabled = errors.New("plugin uploads and removals are disabled: set admin.token in config.yaml or RPCHOST_ADMIN_TOKEN to enable them, or give a caller of auth.callers the admin right")
	// ErrUnauthorized: the request did not carry the admin token.
	ErrUnauthorized = errors.New("the admin token is missing or wrong: send Authorization: Bearer <token>, or basic auth with the token as password (http://admin:<token>@host:port/)")
	// ErrBadPluginName: the name cannot name a plugin file.
	ErrBadPluginName = errors.New("invalid plugin name")
	// ErrUploadTooLarge: the module is over admin.max_upload_bytes.
	ErrUploadTooLarge = errors.New("module too large")
	// ErrInvalidModule: the upload is not a module rpchost can serve.
	ErrInvalidModule = errors.New("not a module rpchost can serve")
	// ErrNoSuchPlugin: nothing to remove under that name.
	ErrNoSuchPlugin = errors.New("no such plugin")
)

// requestKey carries the HTTP request behind a call to the admin
// procedures: the token it presented and its remote address.
type requestKey struct{}

// withToken lets the admin procedures see the request's token (a Bearer
// header, or the password of basic auth) and remote address. It stores the
// request pointer, one small allocation, and parses nothing until an admin
// procedure asks.
func withToken(ctx context.Context, r *http.Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// caller is who attempts an administration, as the trail records it.
type caller struct {
	remote    string // "in-process" for a Go program calling Host directly
	token     string
	presented bool
}

func callerOf(ctx context.Context) caller {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	if r == nil {
		return caller{remote: "in-process"}
	}
	c := caller{remote: r.RemoteAddr}
	auth := r.Header.Get("Authorization")
	if scheme, token, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		c.token, c.presented = strings.TrimSpace(token), true
	} else if _, password, ok := r.BasicAuth(); ok {
		c.token, c.presented = password, true
	}
	return c
}

// authorize checks the presented token in constant time. Only the network
// front ends (the /plugins routes and the plugins.* procedures) call it:
// a Go program calling Upload or Remove is trusted.
func (h *Host) authorize(ctx context.Context) error {
	if h.adminByCaller(ctx) { // an auth.callers entry with the admin right
		return nil
	}
	if h.cfg.adminToken == "" {
		return ErrAdminDisabled
	}
	// Digests of equal length: ConstantTimeCompare returns at once on
	// slices of different lengths, which would tell the token's length.
	presented, want := sha256.Sum256([]byte(callerOf(ctx).token)), sha256.Sum256([]byte(h.cfg.adminToken))
	if subtle.ConstantTimeCompare(presented[:], want[:]) != 1 {
		return ErrUnauthorized
	}
	return nil
}

// admit authorizes a network administration attempt; a refusal is logged
// here, as the attempt's one line in the trail.
func (h *Host) admit(ctx context.Context, action, name string) error {
	err := h.authorize(ctx)
	if err != nil {
		h.audit(ctx, action, name, nil, err)
	}
	return err
}

// audit writes the one log line of an administration attempt: who (the
// remote address), what, and the outcome, never the token.
func (h *Host) audit(ctx context.Context, action, name string, info *PluginInfo, err error) {
	h.auditDB(ctx, action, name, info, err) // the database's trail, when distributed (deploy.go)
	c := callerOf(ctx)
	if len(name) > 100 { // a name is at most 64 characters; this one is refused, and need not flood the log
		name = name[:100] + "…"
	}
	attrs := []any{"remote", c.remote, "caller", h.callerName(ctx), "plugin", name}
	if err == nil {
		attrs = append(attrs, "outcome", "accepted")
		if info != nil {
			attrs = append(attrs, "version", info.Version, "size", info.Size, "sha256", info.SHA256)
			if len(info.Conflicts) > 0 {
				kept := make([]string, len(info.Conflicts))
				for i, cf := range info.Conflicts {
					kept[i] = cf.Name
				}
				attrs = append(attrs, "bare_names_kept_by_others", kept)
			}
		}
		h.logger.Info("admin "+action, attrs...)
		if action == "upload" {
			h.metrics.uploads.WithLabelValues(uploadAccepted).Inc()
		}
		return
	}
	outcome := "failed"
	switch {
	case errors.Is(err, ErrAdminDisabled):
		outcome = "refused: administration disabled"
	case errors.Is(err, ErrUnauthorized) && !c.presented:
		outcome = "refused: missing token"
	case errors.Is(err, ErrUnauthorized):
		outcome = "refused: wrong token"
	case errors.Is(err, ErrBadPluginName):
		outcome = "refused: name"
	case errors.Is(err, ErrUploadTooLarge), errors.Is(err, ErrInvalidModule):
		outcome = "refused: module"
	case errors.Is(err, ErrNoSuchPlugin):
		outcome = "refused: no such plugin"
	case refusalReason(err) != "":
		outcome = "refused: " + refusalReason(err) // not_pinned, unsigned, bad_signature (trust.go)
		h.trust.counted(err)
	case errors.Is(err, ErrNoSuchVersion):
		outcome = "refused: version"
	case errors.Is(err, ErrDeployUnavailable):
		outcome = "refused: deploy database unreachable"
	case errors.Is(err, ErrClosed):
		outcome = "refused: host closed"
	}
	attrs = append(attrs, "outcome", outcome)
	if info != nil && info.SHA256 != "" {
		attrs = append(attrs, "size", info.Size, "sha256", info.SHA256)
	}
	if action == "upload" {
		h.metrics.uploaded(strings.HasPrefix(outcome, "refused") && !errors.Is(err, ErrClosed))
	}
	if !errors.Is(err, ErrUnauthorized) && !errors.Is(err, ErrAdminDisabled) {
		attrs = append(attrs, "reason", err.Error())
	}
	if outcome == "failed" {
		h.logger.Error("admin "+action, attrs...)
		return
	}
	h.logger.Warn("admin "+action, attrs...)
}

// pluginName accepts "up" or "up.wasm" and refuses anything that is not a
// plain plugin name: paths, traversal, hidden files, reserved names.
func pluginName(name string) (string, error) {
	name = strings.TrimSuffix(name, wasmExt)
	if err := checkPluginName(name); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadPluginName, err)
	}
	return name, nil
}

// Upload validates a module (size, magic, compiles, instantiates, methods),
// writes it atomically into the plugin directory, where it survives a
// restart, and serves it. Nothing is written when validation fails.
//
// Upload is for trusted callers: it checks no admin token, so a Go program
// embedding the host can deploy whether or not admin.token is set. The
// network front ends (PUT /plugins/<name>.wasm, plugins.upload) check the
// token before they call it. Every attempt is one line in the log; the
// returned PluginInfo lists the bare names the plugin did not get.
//
// With deploy.trusted_keys set, a module without a signature is refused
// (ErrUnsigned): use UploadSigned.
func (h *Host) Upload(ctx context.Context, name string, wasm []byte) (PluginInfo, error) {
	return h.UploadSigned(ctx, name, wasm, nil)
}

// UploadSigned is Upload with the module's detached signature (the bytes
// of its .sig file; nil for none). deploy.allowed_sha256 and
// deploy.trusted_keys are checked before anything is compiled or written
// (ErrNotPinned, ErrUnsigned, ErrBadSignature); an accepted signature is
// written beside the module, as NAME.wasm.sig, so that the module loads
// again after a restart.
func (h *Host) UploadSigned(ctx context.Context, name string, wasm, sig []byte) (PluginInfo, error) {
	info, _, err := h.deployModule(ctx, name, wasm, sig, deploy.ActionUpload, -1)
	if err != nil && int64(len(wasm)) <= h.cfg.maxUploadBytes { // a module over the limit is refused unread
		// The trail names the module refused by its digest too.
		sum := sha256.Sum256(wasm)
		info = PluginInfo{Size: len(wasm), SHA256: hex.EncodeToString(sum[:])}
	}
	h.audit(ctx, "upload", name, &info, err)
	return info, err
}

// deployModule checks and compiles a module, records it in the version log
// (action upload or rollback; expect as deploy.Log.Record's) and serves it.
// Nothing is recorded or written when the module is refused, and nothing
// is served when the log (the deploy database) cannot record it.
func (h *Host) deployModule(ctx context.Context, name string, wasm, sig []byte, action string, expect int64) (PluginInfo, deploy.Entry, error) {
	h.compiling.RLock()
	defer h.compiling.RUnlock()
	if h.closed.Load() {
		return PluginInfo{}, deploy.Entry{}, ErrClosed
	}
	name, err := pluginName(name)
	if err != nil {
		return PluginInfo{}, deploy.Entry{}, err
	}
	p, digest, start, err := h.compileModule(ctx, name, wasm, sig, action)
	if err != nil {
		return PluginInfo{}, deploy.Entry{}, err
	}
	// Recorded, then installed, as one step for this replica: a
	// notification of this very change, arriving meanwhile, finds the
	// version served and does nothing.
	var raw []byte // the signature as the log keeps it: compileModule parsed it already
	if sig != nil {
		if raw, err = modsig.Parse(sig); err != nil {
			return PluginInfo{}, deploy.Entry{}, errors.Join(fmt.Errorf("%w: %v", ErrBadSignature, err), p.Close(ctx))
		}
	}
	h.deploy.mu.Lock()
	defer h.deploy.mu.Unlock()
	if twin, ok := caseTwin(name, h.loadedNames()); ok { // uploaded while this one compiled: refused before it is recorded
		return PluginInfo{}, deploy.Entry{}, errors.Join(errCaseTwin(name, twin), p.Close(ctx))
	}
	e, err := h.record(ctx, name, action, digest, wasm, raw, expect)
	if err != nil {
		return PluginInfo{}, e, errors.Join(err, p.Close(ctx))
	}
	if err := h.installCompiled(ctx, name, wasm, sig, digest, p, start); err != nil {
		return PluginInfo{}, e, err
	}
	return h.info(name), e, nil
}

// compileModule checks a module (size, magic, case twins, then
// deploy.allowed_sha256 and deploy.trusted_keys against sig) and compiles
// and instantiates it, outside any lock. Callers hold compiling (read).
// source is what the log says: an upload, a rollback, or "deploy" for a
// version another replica recorded.
func (h *Host) compileModule(ctx context.Context, name string, wasm, sig []byte, source string) (*plugin.Plugin, string, time.Time, error) {
	if twin, ok := caseTwin(name, h.loadedNames()); ok {
		return nil, "", time.Time{}, errCaseTwin(name, twin)
	}
	if int64(len(wasm)) > h.cfg.maxUploadBytes {
		return nil, "", time.Time{}, fmt.Errorf("%w: %d bytes, the limit is %d (admin.max_upload_bytes)", ErrUploadTooLarge, len(wasm), h.cfg.maxUploadBytes)
	}
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		return nil, "", time.Time{}, fmt.Errorf("%w: it does not start with the WebAssembly magic bytes \\0asm", ErrInvalidModule)
	}
	start := time.Now()
	sum := sha256.Sum256(wasm)
	from, how := "the upload's signature", "sign it with rpchost sign KEY FILE.wasm and upload it with rpchost upload --sig FILE.wasm.sig (PUT /plugins/NAME.wasm: the "+SignatureHeader+" header; plugins.upload: a third parameter)"
	if source != deploy.ActionUpload {
		from, how = "the version log's signature", "upload the module again, signed (rpchost upload --sig FILE.wasm.sig)"
	}
	if err := h.trust.check(sum, sig, from, how); err != nil {
		return nil, "", time.Time{}, err // nothing compiled, nothing written (trust.go)
	}
	digest := hex.EncodeToString(sum[:])
	h.logger.Info("compiling", "plugin", name, "size", len(wasm), "source", source)
	release, err := h.compileSlot(ctx)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	p, err := h.load(ctx, name, wasm, digest, release, nil)
	release()
	if err != nil && h.closed.Load() {
		return nil, "", time.Time{}, fmt.Errorf("%w (compiling %s: %v)", ErrClosed, name, err) // the runtime closed under the compiler
	}
	if err != nil {
		return nil, "", time.Time{}, fmt.Errorf("%w: %v", ErrInvalidModule, err)
	}
	return p, digest, start, nil
}

// installCompiled writes a compiled module (and its signature, or removes
// a stale one) into the plugin directory, where it survives a restart, and
// serves it.
func (h *Host) installCompiled(ctx context.Context, name string, wasm, sig []byte, digest string, p *plugin.Plugin, start time.Time) error {
	// Compiled and run outside any lock; only writing and installing are
	// serialized with the other changes. Close sets closed before it takes
	// installMu: checked under the lock, an upload either lands before
	// Close unloads everything or not at all.
	h.installMu.Lock()
	defer h.installMu.Unlock()
	if h.closed.Load() {
		return errors.Join(ErrClosed, p.Close(ctx))
	}
	if twin, ok := caseTwin(name, h.loadedNames()); ok { // uploaded while this one compiled
		return errors.Join(errCaseTwin(name, twin), p.Close(ctx))
	}
	if err := h.writeSignature(name, sig); err != nil {
		return errors.Join(err, p.Close(ctx))
	}
	st, err := h.writeAtomically(name, wasm)
	if err != nil {
		return errors.Join(err, p.Close(ctx))
	}
	c := &candidate{name: name, stat: st, readAt: start, size: len(wasm), sha256: digest, plugin: p, took: time.Since(start)}
	h.install(ctx, c)
	return c.err
}

// writeAtomically writes name.wasm through a hidden temporary file and a
// rename, so the watcher never sees a half-written module.
func (h *Host) writeAtomically(name string, wasm []byte) (fileStat, error) {
	f, err := os.CreateTemp(h.cfg.pluginDir, ".upload-"+name+"-*")
	if err != nil {
		return fileStat{}, fmt.Errorf("write %s: %w", name+wasmExt, err)
	}
	tmp := f.Name()
	_, err = f.Write(wasm)
	err = errors.Join(err, f.Sync(), f.Close(), os.Chmod(tmp, 0o644))
	final := filepath.Join(h.cfg.pluginDir, name+wasmExt)
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fileStat{}, fmt.Errorf("write %s: %w", final, err)
	}
	info, err := os.Stat(final)
	if err != nil {
		return fileStat{}, err
	}
	return h.moduleStat(name, info), nil
}

// Remove deletes a plugin's file and stops serving it. Like Upload, it is
// for trusted callers and checks no token; every attempt is logged.
func (h *Host) Remove(ctx context.Context, name string) error {
	var removed *PluginInfo // the version removed, for the trail
	err := h.remove(ctx, name, &removed)
	h.audit(ctx, "remove", name, removed, err)
	return err
}

func (h *Host) remove(ctx context.Context, name string, removed **PluginInfo) error {
	if h.closed.Load() {
		return ErrClosed
	}
	name, err := pluginName(name)
	if err != nil {
		return err
	}
	h.deploy.mu.Lock()
	defer h.deploy.mu.Unlock()
	_, statErr := os.Stat(filepath.Join(h.cfg.pluginDir, name+wasmExt))
	if h.current(name) == nil && errors.Is(statErr, os.ErrNotExist) {
		return fmt.Errorf("%w: %q is neither loaded nor in the plugin directory", ErrNoSuchPlugin, name)
	}
	if _, err := h.record(ctx, name, deploy.ActionRemove, "", nil, nil, -1); err != nil {
		return err
	}
	return h.removeLocal(ctx, name, removed)
}

// removeLocal deletes a plugin's file and signature and unloads it; the
// version it stopped serving goes to *removed when removed is not nil.
func (h *Host) removeLocal(ctx context.Context, name string, removed **PluginInfo) error {
	h.installMu.Lock()
	defer h.installMu.Unlock()
	if h.closed.Load() {
		return ErrClosed
	}
	if l := h.current(name); l != nil && removed != nil {
		*removed = &PluginInfo{Version: l.version, Size: l.size, SHA256: l.sha256}
	}
	err := os.Remove(filepath.Join(h.cfg.pluginDir, name+wasmExt))
	err = errors.Join(err, removeSignature(h.cfg.pluginDir, name))
	unloaded := h.unload(ctx, name)
	switch {
	case errors.Is(err, os.ErrNotExist) && !unloaded:
		return fmt.Errorf("%w: %q is neither loaded nor in the plugin directory", ErrNoSuchPlugin, name)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

func (h *Host) info(name string) PluginInfo {
	for _, p := range h.Plugins() {
		if p.Name == name {
			return p
		}
	}
	return PluginInfo{Name: name}
}
