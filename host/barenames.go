package host

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rpchost/rpchost/internal/registry"
)

// BareNamesRule is the one statement of which plugin answers a bare method
// name. rpchost --help prints it and README.md's "Bare names" paragraph
// says the same words (a test compares them).
const BareNamesRule = `Every method is also served under its bare name (add for add.add) unless
a built-in or qualified name is the same. When several plugins define a
method, its bare name keeps the plugin that answers it for as long as that
plugin is loaded and defines the method: adding, uploading or reloading
other plugins never moves it. The owners are remembered in bare-names.json
in the store directory (store.dir), so a restart keeps them; without a
bbolt store they last as long as the process. A bare name nobody owns goes
to the alphabetically first plugin that defines it: on a first start that
decides once, and later the first plugin to define a new name gets it.
When an owner is removed, or reloaded without the method, the name passes
to the alphabetically first remaining plugin that defines it, with a log
line. aliases (add=numeric.add) pin a bare name instead; a pin to a method
that does not exist stops the start. Each bare name a plugin defines but
does not get is one WARN line in the log (one line per name), and
plugins.upload lists it under conflicts.`

// bareNamesFile holds the owners of bare names, in the store directory.
const bareNamesFile = "bare-names.json"

// ErrAlias: a configured alias names a method that is not served.
var ErrAlias = errors.New("alias target not served")

// Conflict is a bare name a plugin defines but does not answer.
type Conflict struct {
	// Name is the bare name ("add").
	Name string
	// ServedBy is the qualified name that answers it ("add.add").
	ServedBy string
	// Pinned: aliases chose ServedBy.
	Pinned bool
}

// bareNamesState is the file's content. About tells whoever opens it.
type bareNamesState struct {
	About  string            `json:"about"`
	Owners map[string]string `json:"owners"`
}

// bareNamesPath is where owners are remembered: the bbolt store's
// directory, which one process at a time holds (bbolt locks its file), so
// two servers never write it at once. "" when there is none.
func (c Config) bareNamesPath() string {
	if c.store.Driver != "bbolt" || c.store.Target == "" {
		return ""
	}
	return filepath.Join(c.store.Target, bareNamesFile)
}

// rememberBareNames reads the owners a previous process recorded, starts
// the registry's start-up phase with them and subscribes to its changes.
// A file that exists but cannot be read stops the start: guessing would
// silently re-route calls, which is what the file is there to prevent.
func (h *Host) rememberBareNames() error {
	h.registry.Observe(h.bareNamesChanged)
	path := h.cfg.bareNamesPath()
	if path == "" {
		h.logger.Info("bare-name owners are kept for this process only: there is no bbolt store directory to remember them in")
		h.registry.Remember(nil)
		return nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		h.registry.Remember(nil)
		return nil
	}
	var st bareNamesState
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil {
		return fmt.Errorf("bare-name owners: %s: %w (delete the file to let the alphabetical rule decide again)", path, err)
	}
	h.registry.Remember(st.Owners)
	return nil
}

// bareNamesChanged logs every conflict and move and persists the owners.
// It runs under the registry's write lock, so writes reach the file in order.
func (h *Host) bareNamesChanged(ch registry.Change) {
	if h.closed.Load() {
		return // Close unloads everything: that is not a change of owner
	}
	for _, c := range ch.Conflicts {
		msg := "bare name kept by its owner"
		if c.Pinned {
			msg = "bare name pinned by aliases"
		}
		h.logger.Warn(msg, "name", c.Name, "owner", c.Owner, "plugin", c.Plugin, "not_served_as_bare", c.Plugin+"."+c.Name)
	}
	for _, m := range ch.Moves {
		if m.To == "" {
			h.logger.Warn("bare name no longer served", "name", m.Name, "was", m.From)
			continue
		}
		h.logger.Warn("bare name changed owner", "name", m.Name, "from", m.From, "to", m.To)
	}
	if ch.Owners != nil {
		h.saveBareNames(ch.Owners)
	}
}

func (h *Host) saveBareNames(owners map[string]string) {
	path := h.cfg.bareNamesPath()
	if path == "" {
		return
	}
	b, err := json.MarshalIndent(bareNamesState{
		About:  "Which plugin answers each bare method name, kept across restarts (see rpchost --help). Delete this file to let the alphabetical rule decide again.",
		Owners: owners,
	}, "", "  ")
	if err == nil {
		err = writeFileAtomically(path, append(b, '\n'))
	}
	if err != nil {
		h.logger.Error("bare-name owners cannot be remembered; a restart may give bare names to other plugins", "file", path, "error", err.Error())
	}
}

// writeFileAtomically replaces path through a synced temporary file and a
// rename, so a crash leaves the old content or the new, never half.
func writeFileAtomically(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// checkAliases refuses a start whose aliases point at nothing, saying why
// the target is missing: the plugin was refused, is absent, or lacks the
// method.
func (h *Host) checkAliases() error {
	bares := make([]string, 0, len(h.cfg.aliases))
	for bare := range h.cfg.aliases {
		bares = append(bares, bare)
	}
	sort.Strings(bares)
	var errs []error
	for _, bare := range bares {
		target := h.cfg.aliases[bare]
		if e, ok := h.registry.Lookup(target); ok && !e.IsAlias() {
			continue
		}
		plugin, method, _ := strings.Cut(target, ".")
		why := fmt.Sprintf("no plugin %q in %s", plugin, h.cfg.pluginDir)
		if r, ok := h.refusedFile(plugin); ok {
			why = fmt.Sprintf("plugin %q was refused: %s", plugin, r.Reason)
		} else if l := h.current(plugin); l != nil {
			why = fmt.Sprintf("plugin %q has no method %q (it has %s)", plugin, method, strings.Join(l.plugin.MethodNames(), ", "))
		} else if !strings.Contains(target, ".") {
			why = "the target must be a qualified name, plugin.method"
		}
		errs = append(errs, fmt.Errorf("aliases: %s=%s: %w: %s", bare, target, ErrAlias, why))
	}
	return errors.Join(errs...)
}

// conflicts lists the bare names plugin defines but does not answer.
func (h *Host) conflicts(plugin string, methods []string) []Conflict {
	var out []Conflict
	for _, c := range h.registry.Conflicts(plugin, methods) {
		out = append(out, Conflict{Name: c.Name, ServedBy: c.Owner, Pinned: c.Pinned})
	}
	return out
}
