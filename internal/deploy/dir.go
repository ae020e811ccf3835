package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rpchost/rpchost/internal/regularfile"
)

// Dir keeps the version log in a directory: NAME.json holds a name's
// entries, modules/<sha256>.wasm the module bytes. Every file is written
// through a temporary file and a rename, so a crash leaves the old file or
// the new one. One process uses a directory at a time (the plugin
// directory it sits in is that process's).
type Dir struct {
	dir       string
	maxModule int64      // the largest module file read back (admin.max_upload_bytes)
	mu        sync.Mutex // serializes Record: read, change and write a name's file
}

// maxLogFileBytes bounds one name's log file as read back: its entries are
// at most keep_versions (1,000) of a few hundred bytes.
const maxLogFileBytes = 16 << 20

// NewDir returns the log kept in dir, which is created on the first Record.
// Files are read back only if regular (a FIFO put there must not block a
// deploy) and at most maxModule bytes for a module.
func NewDir(dir string, maxModule int64) *Dir { return &Dir{dir: dir, maxModule: maxModule} }

// dirFile is a name's file: the entries kept, and the last version
// given, which pruning must not forget.
type dirFile struct {
	Last    int64   `json:"last"`
	Entries []Entry `json:"entries"` // oldest first
}

// servedTwin returns a name of the log that differs from name only in
// case and whose last entry serves a module, or "".
func (d *Dir) servedTwin(name string) (string, error) {
	files, err := os.ReadDir(d.dir)
	if err != nil {
		return "", fmt.Errorf("version log: %w", err)
	}
	for _, fi := range files {
		other, ok := strings.CutSuffix(fi.Name(), ".json")
		if !ok || other == name || !strings.EqualFold(other, name) {
			continue
		}
		f, err := d.read(other)
		if err != nil {
			return "", fmt.Errorf("version log: %w", err)
		}
		if n := len(f.Entries); n > 0 && f.Entries[n-1].Serves() {
			return other, nil
		}
	}
	return "", nil
}

// hexSHA is what a module's file name may be: nothing else is ever
// joined to the directory's path.
var hexSHA = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (d *Dir) read(name string) (dirFile, error) {
	var f dirFile
	data, err := regularfile.Read(filepath.Join(d.dir, name+".json"), maxLogFileBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("%s: %w", filepath.Join(d.dir, name+".json"), err)
	}
	return f, nil
}

func (d *Dir) Record(_ context.Context, e Entry, wasm []byte, keep int, expect int64) (Entry, error) {
	if err := e.checkSignature(); err != nil {
		return Entry{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.MkdirAll(filepath.Join(d.dir, "modules"), 0o755); err != nil {
		return Entry{}, fmt.Errorf("version log: %w", err)
	}
	f, err := d.read(e.Name)
	if err != nil {
		return Entry{}, fmt.Errorf("version log: %w", err)
	}
	if expect >= 0 && f.Last != expect {
		return Entry{}, fmt.Errorf("%w: %s is at version %d, not %d", ErrConflict, e.Name, f.Last, expect)
	}
	if e.Serves() {
		if twin, err := d.servedTwin(e.Name); err != nil || twin != "" {
			if err == nil {
				err = fmt.Errorf("%w: %q", ErrCaseTwin, twin)
			}
			return Entry{}, err
		}
	}
	if e.SHA256 != "" {
		if !hexSHA.MatchString(e.SHA256) {
			return Entry{}, fmt.Errorf("version log: %q is not a hex sha256", e.SHA256)
		}
		path := d.module(e.SHA256)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if err := writeFile(path, wasm); err != nil {
				return Entry{}, fmt.Errorf("version log: %w", err)
			}
		}
	}
	if f.Last < 0 || f.Last == math.MaxInt64 {
		return Entry{}, fmt.Errorf("version log: %s's file says its last version is %d: it was edited by hand; remove %s to start its log again", e.Name, f.Last, filepath.Join(d.dir, e.Name+".json"))
	}
	f.Last++
	e.Version, e.At = f.Last, time.Now().UTC()
	f.Entries = append(f.Entries, e)
	var pruned []Entry
	if len(f.Entries) > keep {
		pruned = append(pruned, f.Entries[:len(f.Entries)-keep]...)
		f.Entries = append([]Entry(nil), f.Entries[len(f.Entries)-keep:]...)
	}
	data, err := json.Marshal(f)
	if err == nil {
		err = writeFile(filepath.Join(d.dir, e.Name+".json"), data)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("version log: %w", err)
	}
	d.dropUnused(pruned)
	return e, nil
}

// dropUnused deletes the modules of pruned entries that no kept entry, of
// any name, refers to. A failure leaves a file behind, nothing worse.
func (d *Dir) dropUnused(pruned []Entry) {
	if len(pruned) == 0 {
		return
	}
	used := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(d.dir, "*.json"))
	for _, path := range files {
		f, err := d.read(strings.TrimSuffix(filepath.Base(path), ".json"))
		if err != nil {
			return // unsure what is used: keep everything
		}
		for _, e := range f.Entries {
			used[e.SHA256] = true
		}
	}
	for _, e := range pruned {
		if e.SHA256 != "" && !used[e.SHA256] {
			_ = os.Remove(d.module(e.SHA256))
		}
	}
}

func (d *Dir) History(_ context.Context, name string) ([]Entry, error) {
	d.mu.Lock()
	f, err := d.read(name)
	d.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("version log: %w", err)
	}
	out := make([]Entry, len(f.Entries))
	for i, e := range f.Entries {
		out[len(out)-1-i] = e
	}
	return out, nil
}

func (d *Dir) Module(_ context.Context, sha string) ([]byte, error) {
	if !hexSHA.MatchString(sha) {
		return nil, fmt.Errorf("module %q: %w", sha, ErrNotFound)
	}
	data, err := regularfile.Read(d.module(sha), d.maxModule)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("module %s: %w", sha, ErrNotFound)
	}
	return data, err
}

func (d *Dir) module(sha string) string { return filepath.Join(d.dir, "modules", sha+".wasm") }

// writeFile writes through a hidden temporary file and a rename.
func writeFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}
