package host

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/plugin"
)

const wasmExt = ".wasm"

// MaxModuleFileBytes is the largest module file rpchost reads from the
// plugin directory, its version log or the command line (inspect): a
// bound on the memory a file put there can take (a symlink to /dev/zero
// would otherwise take it all). It is far above what a module within the
// structural limits can be (the Go guests are 2.5 MB), and apart from
// admin.max_upload_bytes, which bounds what the network may send.
const MaxModuleFileBytes = 256 << 20

// CheckPluginName reports whether name can be a plugin's name: 1 to 64 of
// A-Z a-z 0-9 _, not starting with _, and neither "system" nor "plugins".
// The CLI uses it to refuse per-plugin configuration keys for names no
// plugin can have, and to suggest a valid name for an upload.
func CheckPluginName(name string) error { return checkPluginName(name) }

// checkPluginName refuses names that could not prefix a method name, that
// hide files, or that belong to the host.
func checkPluginName(name string) error {
	if name == "" || len(name) > 64 {
		shown := name
		if len(shown) > 70 {
			shown = shown[:70] + "…"
		}
		return fmt.Errorf("plugin name %q (%d bytes) must have 1 to 64 characters", shown, len(name))
	}
	for i, r := range name {
		if r == utf8.RuneError && !strings.HasPrefix(name[i:], string(utf8.RuneError)) {
			return fmt.Errorf("plugin name %q has byte 0x%02X, which is not UTF-8; only A-Z a-z 0-9 _ are allowed", name, name[i])
		}
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_') {
			// The rune, not a byte: "ｘ" must be named as such, not as 'ï'.
			return fmt.Errorf("plugin name %q has %q; only A-Z a-z 0-9 _ are allowed", name, r)
		}
	}
	if name[0] == '_' {
		return fmt.Errorf("plugin name %q starts with \"_\"", name)
	}
	for _, r := range reservedNames {
		if name == r {
			return fmt.Errorf("plugin name %q is reserved for the host's own methods", name)
		}
	}
	return nil
}

// fileStat is what tells a changed file from an unchanged one cheaply.
type fileStat struct {
	size    int64
	modTime time.Time
	// The module's NAME.wasm.sig, when signatures are required (trust.go):
	// size -1 when there is none.
	sigSize    int64
	sigModTime time.Time
	// id adds the device, inode and change time where the system tells
	// them (zero elsewhere): a file replaced by one of the same size with
	// its modification time kept (cp -p, rsync -t, tar x, a build stamped
	// with a fixed date) has another inode or a new change time, which no
	// one can set back.
	id fileID
}

// racyWindow: file systems stamp mtimes with a coarse clock (a few
// milliseconds on Linux), so a file rewritten with the same size soon after
// it was read can keep its fileStat. As git does for its index, a stat is
// trusted only once it is older than this when the file was read; until
// then the file is read again and its hash decides.
const racyWindow = 2 * time.Second

// unchanged reports whether a file still holds what was read at readAt.
func (st fileStat) unchanged(now fileStat, readAt time.Time) bool {
	return st == now && now.modTime.Before(readAt.Add(-racyWindow)) && now.sigModTime.Before(readAt.Add(-racyWindow)) &&
		(now.id == fileID{} || now.id.settled(readAt))
}

// loaded is one version of a plugin being served.
type loaded struct {
	plugin   *plugin.Plugin
	stat     fileStat
	readAt   time.Time // when the file's bytes were last read
	size     int
	sha256   string
	version  int
	loadedAt time.Time
}

// candidate is a module read from disk (or uploaded) and compiled. Its
// bytes are not kept.
type candidate struct {
	name   string
	stat   fileStat
	readAt time.Time
	size   int
	sha256 string
	plugin *plugin.Plugin
	err    error
	took   time.Duration
	// compiled: "compiling" was logged for this load, so an outcome must be.
	compiled bool
	// refused is the refusal standing for this name when the load began:
	// a file read again only because its mtime was too recent to trust is
	// not compiled again if its bytes are the ones refused.
	refused *rejection
}

// scanDir lists the plugin files of the directory by plugin name. Files that
// cannot be plugins are reported once per version through reject.
func (h *Host) scanDir() (map[string]fileStat, error) {
	entries, err := os.ReadDir(h.cfg.pluginDir)
	if err != nil {
		return nil, fmt.Errorf("plugin directory: %w", err)
	}
	files := map[string]fileStat{}
	for _, e := range entries {
		// Hidden files are editors' and uploads' temporary files.
		if strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), wasmExt) || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		name := strings.TrimSuffix(e.Name(), wasmExt)
		st := h.moduleStat(name, info)
		if err := checkPluginName(name); err != nil {
			h.reject(name, st, time.Now(), "", err)
			continue
		}
		files[name] = st
	}
	// A zero stat, so that the file is looked at again once its twin is gone.
	for loser, winner := range caseLosers(slices.Collect(maps.Keys(files)), h.loadedNames()) {
		h.reject(loser, fileStat{}, time.Now(), "", errCaseTwin(loser, winner))
		delete(files, loser)
	}
	return files, nil
}

// reconcile makes the served plugins match the directory: new and changed
// files are compiled and instantiated before they replace anything, removed
// files are unloaded. A directory that cannot be read changes nothing.
//
// It only starts the loads, one goroutine per changed file, and returns what
// to wait on for them: a module that is slow to compile or whose start code
// spins until load_timeout must not hold up the other plugins' reloads,
// uploads, removals or the watcher. No lock is held while a module compiles
// or runs; installMu is taken only to install (see finishLoad).
func (h *Host) reconcile(ctx context.Context) (*sync.WaitGroup, error) {
	var wg sync.WaitGroup
	h.installMu.Lock()
	defer h.installMu.Unlock()
	if h.closed.Load() {
		return &wg, nil
	}
	files, err := h.scanDir()
	if err != nil {
		return &wg, err
	}
	var todo []candidate
	for name, st := range files {
		if l := h.current(name); l != nil && l.stat.unchanged(st, l.readAt) {
			continue
		}
		if r, ok := h.rejected[name]; ok && r.stat.unchanged(st, r.at) {
			continue
		}
		if _, busy := h.loading[name]; busy {
			// One load per name at a time; the running one rescans when
			// it ends, since what it read may no longer be the file.
			h.loading[name] = true
			continue
		}
		h.loading[name] = false
		c := candidate{name: name, stat: st}
		if r, ok := h.rejected[name]; ok && r.stat == st {
			c.refused = &r
		}
		todo = append(todo, c)
	}
	for _, name := range h.loadedNames() {
		if _, ok := files[name]; !ok {
			h.unload(ctx, name)
		}
	}
	// Largest first, so that a small module, not a big one, is what runs
	// alone at the end while the other cores have nothing left to do.
	slices.SortFunc(todo, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.stat.size, a.stat.size), strings.Compare(a.name, b.name))
	})
	for _, c := range todo {
		wg.Add(1)
		h.loads.Add(1)
		go func() {
			defer h.loads.Done()
			defer wg.Done()
			h.loadFile(ctx, c)
		}()
	}
	return &wg, nil
}

// loadFile reads and loads one candidate, then installs it if its file is
// still the version that was read.
func (h *Host) loadFile(ctx context.Context, c candidate) {
	start := time.Now()
	c.readAt = start
	// The file is read once a compile slot is free, and its bytes are
	// garbage once compiled: a hundred plugins loading at once must not
	// hold a hundred modules in memory.
	release, err := h.compileSlot(ctx)
	if err == nil {
		path := filepath.Join(h.cfg.pluginDir, c.name+wasmExt)
		var (
			wasm []byte // nil when the digest came from its stat
			sum  [sha256.Size]byte
		)
		wasm, sum, c.size, err = h.readModule(path, start)
		if err == nil {
			c.sha256 = hex.EncodeToString(sum[:])
			trustErr := h.checkFile(c.name, sum) // before anything is compiled (trust.go)
			switch l := h.current(c.name); {
			case trustErr != nil:
				err = trustErr
			case c.refused != nil && c.refused.sha256 == c.sha256 && refusalReason(c.refused.err) == "":
				// The refused bytes, read again within the racy window:
				// refused again, quietly (reject sees the same version).
				// A refusal of the trust policy is not reused: it was
				// decided again above, its signature may have changed.
				err = c.refused.err
			case l != nil && l.sha256 == c.sha256:
				// Same bytes, new timestamp: install only records the new stat.
			default:
				h.logger.Info("compiling", "plugin", c.name, "size", c.size)
				c.plugin, err = h.load(ctx, c.name, wasm, c.sha256, release, &unread{path: path, sum: sum, size: c.size})
				c.compiled = true
			}
		}
		release()
	}
	c.err = err
	c.took = time.Since(start)
	h.finishLoad(ctx, &c)
}

// compileSlot waits for one of the compile slots, which bound the modules
// compiling at once. The slot is held only while a module is read and
// compiled, never while its code runs; release may be called more than once.
func (h *Host) compileSlot(ctx context.Context) (release func(), err error) {
	select {
	case h.compileSlots <- struct{}{}:
		return sync.OnceFunc(func() { <-h.compileSlots }), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting to compile: %w", context.Cause(ctx))
	}
}

// finishLoad installs a loaded candidate unless, while it compiled, the
// host closed or its file was replaced or removed (by an upload, a removal
// or a deployment): then the candidate is dropped, and a changed file is
// rescanned.
func (h *Host) finishLoad(ctx context.Context, c *candidate) {
	h.installMu.Lock()
	again := h.loading[c.name]
	delete(h.loading, c.name)
	info, statErr := os.Stat(filepath.Join(h.cfg.pluginDir, c.name+wasmExt))
	current := statErr == nil && h.moduleStat(c.name, info) == c.stat
	switch {
	case h.closed.Load() || !current:
		if c.compiled {
			// Every "compiling" line has an outcome line.
			why := "its file changed while it compiled; the new version is loaded next"
			if h.closed.Load() {
				why = "the host is closing"
			}
			h.logger.Info("plugin load dropped", "plugin", c.name, "reason", why)
		}
		if c.plugin != nil {
			if err := c.plugin.Close(ctx); err != nil {
				h.logger.Warn("closing a superseded load failed", "plugin", c.name, "error", err.Error())
			}
		}
		again = again || !h.closed.Load()
	default:
		h.install(ctx, c)
	}
	h.installMu.Unlock()
	if again {
		h.requestRescan()
	}
}

// requestRescan asks the watcher, if there is one, to scan the directory
// again soon.
func (h *Host) requestRescan() {
	select {
	case h.rescanRequests <- struct{}{}:
	default: // one is pending already
	}
}

// load compiles a plugin; digest, the hex SHA-256 of wasm, lets copies of
// one module share their compiled form. compiled is called once wasm is
// compiled, before any of its code runs.
//
// wasm is nil when the file was not read (its digest came from its stat):
// then src reads it, if it must (see plugin.Options.Read).
func (h *Host) load(ctx context.Context, name string, wasm []byte, digest string, compiled func(), src *unread) (*plugin.Plugin, error) {
	opts := h.cfg.loadOptions(name)
	opts.Logger = h.logger
	opts.Digest = digest
	if wasm == nil && src != nil {
		opts.Read, opts.Size = src.read, src.size
	}
	opts.MayRun = h.inflight.mayRun
	if h.store != nil {
		opts.Store, opts.StoreLimits = h.store, h.cfg.store.Limits
	}
	opts.Compiled = compiled
	return h.runtime.Load(ctx, name, wasm, opts)
}

// loadOptions are the options of plugin name that come from the
// configuration alone: its limits, grants and config section. Loading and
// Inspect both start from them, so that both judge a module alike.
func (c Config) loadOptions(name string) plugin.Options {
	opts := c.limitsFor(name).pluginOptions()
	opts.IdleTimeout = c.idleTimeout
	opts.MaxResultValues = c.maxItems // a result costs the host what a request would
	if grants, ok := byName(c.pluginGrants, name); ok {
		opts.Grants = grants
	}
	if cfg, ok := byName(c.pluginConfig, name); ok {
		v, _ := configValue(cfg) // validated in New and Inspect
		opts.Config, _ = v.(abi.Struct)
	}
	return opts
}

// install swaps a compiled candidate in. The registry publishes all its
// methods at once; calls already running finish on the old version, and
// calls that were waiting for one of its instances retry on the new one.
// Callers hold installMu.
func (h *Host) install(ctx context.Context, c *candidate) {
	old := h.current(c.name)
	if c.err == nil && c.plugin == nil && old != nil { // same bytes, new timestamp
		h.mu.Lock()
		old.stat, old.readAt = c.stat, c.readAt
		h.mu.Unlock()
		return
	}
	if c.err == nil {
		if err := h.registry.SetPlugin(c.name, c.plugin.Methods()); err != nil {
			c.err = errors.Join(fmt.Errorf("register: %w", err), c.plugin.Close(ctx))
		}
	}
	if c.err != nil {
		h.reject(c.name, c.stat, c.readAt, c.sha256, c.err)
		return
	}
	delete(h.rejected, c.name)
	l := &loaded{plugin: c.plugin, stat: c.stat, readAt: c.readAt, size: c.size, sha256: c.sha256, loadedAt: time.Now()}
	h.mu.Lock()
	h.versions[c.name]++
	l.version = h.versions[c.name]
	h.plugins[c.name] = l
	h.mu.Unlock()
	msg := "plugin loaded"
	h.metrics.installed(old != nil, h.registry)
	if old != nil {
		msg = "plugin reloaded"
		if err := old.plugin.Close(ctx); err != nil {
			h.logger.Warn("closing the previous version failed", "plugin", c.name, "version", old.version, "error", err.Error())
		}
	}
	names := c.plugin.MethodNames()
	h.logger.Info(msg, "plugin", c.name, "version", l.version, "kind", c.plugin.Kind().String(),
		"method_count", len(names), "methods", firstNames(names), "size", l.size, "sha256", l.sha256, "duration", c.took.Round(time.Microsecond))
}

// rejection remembers a file version that was refused, so that it is
// neither loaded nor logged again until it changes.
type rejection struct {
	stat   fileStat
	at     time.Time
	sha256 string // of the bytes refused; "" when the file was not read
	err    error
}

// reject logs why a file is not served, once per version of the file.
// Callers hold installMu.
func (h *Host) reject(name string, st fileStat, readAt time.Time, sha string, err error) {
	if r, ok := h.rejected[name]; ok && r.stat == st && r.sha256 == sha {
		// Logged already. Remember this later read, so that once the
		// file's mtime is out of the racy window it is trusted and the file
		// is no longer read again at every rescan. Bytes rewritten within
		// the window (same stat, another hash) are a new version: logged.
		r.at = readAt
		h.rejected[name] = r
		return
	}
	h.rejected[name] = rejection{stat: st, at: readAt, sha256: sha, err: err}
	h.noteRefused(name, st, err)
	h.metrics.loads.WithLabelValues(loadRejected).Inc()
	h.trust.counted(err)
	attrs := []any{"plugin", name, "file", filepath.Join(h.cfg.pluginDir, name+wasmExt), "error", err.Error()}
	if sha != "" {
		attrs = append(attrs, "sha256", sha)
	}
	if old := h.current(name); old != nil {
		attrs = append(attrs, "serving_version", old.version)
		h.logger.Error("plugin rejected; the previous version keeps serving", attrs...)
		return
	}
	h.logger.Error("plugin skipped", attrs...)
}

// unload stops serving a plugin. Callers hold installMu.
func (h *Host) unload(ctx context.Context, name string) bool {
	h.mu.Lock()
	l := h.plugins[name]
	delete(h.plugins, name)
	h.mu.Unlock()
	delete(h.rejected, name)
	if l == nil {
		return false
	}
	h.registry.RemovePlugin(name)
	h.metrics.unloaded(name, h.registry)
	err := l.plugin.Close(ctx)
	attrs := []any{"plugin", name, "version", l.version, "sha256", l.sha256}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	h.logger.Info("plugin removed", attrs...)
	return true
}

func (h *Host) current(name string) *loaded {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.plugins[name]
}

func (h *Host) loadedNames() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	names := make([]string, 0, len(h.plugins))
	for n := range h.plugins {
		names = append(names, n)
	}
	return names
}

// loggedNames is how many method names a load's log line lists: a plugin
// may declare 10,000 methods, and one log line must stay readable.
const loggedNames = 20

// firstNames is names cut to loggedNames, saying how many were left out.
func firstNames(names []string) []string {
	if len(names) <= loggedNames {
		return names
	}
	return append(names[:loggedNames:loggedNames], fmt.Sprintf("(%d more)", len(names)-loggedNames))
}
