package host

import (
	"os"
	"path/filepath"
	"sort"
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
		if err != nil || (fileStat{size: info.Size(), modTime: info.ModTime()}) != r.stat {
			delete(h.refused, name) // fixed, replaced or removed since
			continue
		}
		out = append(out, r.file)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// refusedFile returns the refusal of one plugin's file, if it stands.
func (h *Host) refusedFile(name string) (RefusedFile, bool) {
	for _, r := range h.Refused() {
		if r.Name == name {
			return r, true
		}
	}
	return RefusedFile{}, false
}
