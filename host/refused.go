package host

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// RefusedFile is a file of the plugin directory that is not served, and why.
type RefusedFile struct {
	Name   string // the plugin name the file would have
	File   string // its file name in the plugin directory (no path: listings are public)
	Size   int64
	Reason string
	At     time.Time // when it was refused
}

// refusal is what reject recorded about one file version.
type refusal struct {
	file RefusedFile
	stat fileStat
}

// noteRefused records why a file version was refused, for Refused. It has
// its own lock so that listing never waits for a reload in progress.
func (h *Host) noteRefused(name string, st fileStat, err error) {
	h.refusedMu.Lock()
	defer h.refusedMu.Unlock()
	h.refused[name] = refusal{stat: st, file: RefusedFile{Name: name, File: name + wasmExt,
		Size: st.size, Reason: err.Error(), At: time.Now()}}
}

// Refused lists, sorted by name, the files of the plugin directory that
// were refused and have not changed since. A refused new version of a
// plugin is listed here while its previous version keeps serving.
func (h *Host) Refused() []RefusedFile {
	h.refusedMu.Lock()
	defer h.refusedMu.Unlock()
	out := []RefusedFile{}
	for name, r := range h.refused {
		info, err := os.Stat(filepath.Join(h.cfg.pluginDir, r.file.File))
		if err != nil || h.moduleStat(name, info) != r.stat {
			delete(h.refused, name) // fixed, replaced or removed since
			continue
		}
		out = append(out, r.file)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// refusedFile returns the refusal of one plugin's file, if it stands. It
// looks at that one file only: Call asks on every unknown method name.
func (h *Host) refusedFile(name string) (RefusedFile, bool) {
	h.refusedMu.Lock()
	defer h.refusedMu.Unlock()
	r, ok := h.refused[name]
	if !ok {
		return RefusedFile{}, false
	}
	info, err := os.Stat(filepath.Join(h.cfg.pluginDir, r.file.File))
	if err != nil || h.moduleStat(name, info) != r.stat {
		delete(h.refused, name) // fixed, replaced or removed since
		return RefusedFile{}, false
	}
	return r.file, true
}

// maxReasonInFault bounds the refusal reason a fault quotes: a compile
// error can be long, and a fault is read by a person at a terminal.
const maxReasonInFault = 200

// methodNotFound is Call's ErrMethodNotFound for method. When the method's
// plugin part names a file that was refused at load, it says so: a newcomer
// whose plugin failed to load must not be told only that the method does
// not exist. The reason is what GET /plugins shows anyone already.
func (h *Host) methodNotFound(method string) error {
	if plugin, _, ok := strings.Cut(method, "."); ok {
		if r, ok := h.refusedFile(plugin); ok {
			return &notFoundError{fmt.Sprintf("no method %q: the file %s was refused at load: %s; fix it and save it again (GET /plugins lists refused files)",
				method, r.File, clip(r.Reason, maxReasonInFault))}
		}
	}
	return &notFoundError{fmt.Sprintf("no method %q; system.listMethods lists the methods served", method)}
}

// notFoundError is an ErrMethodNotFound whose message reads as a sentence,
// without the sentinel's text stuck at its end.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }
func (e *notFoundError) Unwrap() error { return ErrMethodNotFound }

// clip cuts s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if cut, truncated := truncateUTF8(s, n); truncated {
		return cut + "…"
	}
	return s
}
