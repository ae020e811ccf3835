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
)

// Sentinel errors of plugin administration.
var (
	// ErrAdminDisabled: no admin token is configured, so uploads and
	// removals are refused.
	ErrAdminDisabled = errors.New("plugin uploads and removals are disabled: set admin.token in config.yaml or RPCHOST_ADMIN_TOKEN to enable them")
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
	// ErrHostClosed: the host closed while the upload was being loaded.
	ErrHostClosed = errors.New("the host is closed")
)

type tokenKey struct{}

// withToken carries the token a request presented, from a Bearer header or
// as the password of basic auth, to the admin procedures.
func withToken(ctx context.Context, r *http.Request) context.Context {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return ctx
	}
	if scheme, token, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return context.WithValue(ctx, tokenKey{}, strings.TrimSpace(token))
	}
	if _, password, ok := r.BasicAuth(); ok {
		return context.WithValue(ctx, tokenKey{}, password)
	}
	return ctx
}

// authorize checks the presented token in constant time.
func (h *Host) authorize(ctx context.Context) error {
	if h.cfg.adminToken == "" {
		return ErrAdminDisabled
	}
	presented, _ := ctx.Value(tokenKey{}).(string)
	if subtle.ConstantTimeCompare([]byte(presented), []byte(h.cfg.adminToken)) != 1 {
		return ErrUnauthorized
	}
	return nil
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
func (h *Host) Upload(ctx context.Context, name string, wasm []byte) (PluginInfo, error) {
	if err := h.authorize(ctx); err != nil {
		return PluginInfo{}, err
	}
	name, err := pluginName(name)
	if err != nil {
		return PluginInfo{}, err
	}
	if int64(len(wasm)) > h.cfg.maxUploadBytes {
		return PluginInfo{}, fmt.Errorf("%w: %d bytes, the limit is %d (admin.max_upload_bytes)", ErrUploadTooLarge, len(wasm), h.cfg.maxUploadBytes)
	}
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		return PluginInfo{}, fmt.Errorf("%w: it does not start with the WebAssembly magic bytes \\0asm", ErrInvalidModule)
	}
	start := time.Now()
	sum := sha256.Sum256(wasm)
	digest := hex.EncodeToString(sum[:])
	release, err := h.compileSlot(ctx)
	if err != nil {
		return PluginInfo{}, err
	}
	p, err := h.load(ctx, name, wasm, digest, release)
	release()
	if err != nil {
		return PluginInfo{}, fmt.Errorf("%w: %v", ErrInvalidModule, err)
	}
	// Compiled and run outside any lock; only writing and installing are
	// serialized with the other changes.
	h.installMu.Lock()
	defer h.installMu.Unlock()
	if h.closed {
		return PluginInfo{}, errors.Join(ErrHostClosed, p.Close(ctx))
	}
	st, err := h.writeAtomically(name, wasm)
	if err != nil {
		return PluginInfo{}, errors.Join(err, p.Close(ctx))
	}
	c := &candidate{name: name, stat: st, readAt: start, size: len(wasm), sha256: digest, plugin: p, took: time.Since(start)}
	h.install(ctx, c)
	if c.err != nil {
		return PluginInfo{}, c.err
	}
	return h.info(name), nil
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
	return fileStat{size: info.Size(), modTime: info.ModTime()}, nil
}

// Remove deletes a plugin's file and stops serving it.
func (h *Host) Remove(ctx context.Context, name string) error {
	if err := h.authorize(ctx); err != nil {
		return err
	}
	name, err := pluginName(name)
	if err != nil {
		return err
	}
	h.installMu.Lock()
	defer h.installMu.Unlock()
	err = os.Remove(filepath.Join(h.cfg.pluginDir, name+wasmExt))
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
