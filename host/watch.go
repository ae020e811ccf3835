package host

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watch keeps the served plugins in step with the plugin directory until
// ctx ends. File events are debounced, because editors and cp write a file
// in several steps; a periodic rescan catches what events miss, including a
// directory replaced as a whole (its events stop when its inode goes away).
func (h *Host) watch(ctx context.Context) {
	defer close(h.watchDone)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		h.logger.Error("watching the plugin directory failed; rescanning periodically only", "error", err.Error())
	} else {
		defer w.Close()
	}
	var events chan fsnotify.Event
	var errs chan error
	if w != nil {
		events, errs = w.Events, w.Errors
	}
	dir, _ := os.Stat(h.cfg.pluginDir)
	h.addWatch(w)

	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	defer debounce.Stop()
	poll := time.NewTicker(h.cfg.pollInterval)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			if relevant(ev) {
				debounce.Reset(h.cfg.debounce)
			}
		case err := <-errs:
			h.logger.Warn("plugin directory watch error", "error", err.Error())
		case <-h.rescanRequests:
			// A load ended after its file changed again.
			debounce.Reset(h.cfg.debounce)
		case <-debounce.C:
			h.rescan(ctx)
		case <-poll.C:
			now, err := os.Stat(h.cfg.pluginDir)
			if err != nil {
				continue // being replaced; keep serving what is loaded
			}
			if dir == nil || !os.SameFile(dir, now) {
				dir = now
				h.logger.Info("plugin directory replaced; watching the new one", "dir", h.cfg.pluginDir)
				h.addWatch(w)
			}
			h.rescan(ctx)
		}
	}
}

func (h *Host) addWatch(w *fsnotify.Watcher) {
	if w == nil {
		return
	}
	_ = w.Remove(h.cfg.pluginDir) // the old inode, if the directory was replaced
	if err := w.Add(h.cfg.pluginDir); err != nil {
		h.logger.Warn("watching the plugin directory failed; rescanning periodically", "dir", h.cfg.pluginDir, "error", err.Error())
	}
}

func (h *Host) rescan(ctx context.Context) {
	// Not waiting for the loads: each installs itself when it is done.
	if _, err := h.reconcile(ctx); err != nil {
		h.logger.Warn("rescanning the plugin directory failed; plugins keep serving", "error", err.Error())
	}
}

// relevant ignores hidden files, which are editors' and uploads' temporary
// files, and anything that is not a module or a module's signature
// (NAME.wasm.sig, trust.go: a signature added later makes its module load;
// one without its module is looked at and ignored by the rescan).
func relevant(ev fsnotify.Event) bool {
	base := filepath.Base(ev.Name)
	return !strings.HasPrefix(base, ".") && (strings.HasSuffix(base, wasmExt) || strings.HasSuffix(base, sigExt))
}
