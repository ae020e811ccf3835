// Package deploy keeps the version log of plugins: every upload, removal
// and rollback of a name, with the module bytes of the versions kept,
// content-addressed by SHA-256. Two implementations: Dir, a hidden
// directory beside the plugins for one machine, and Postgres, a database
// that several replicas share and watch (LISTEN/NOTIFY).
package deploy

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Actions of the version log.
const (
	ActionUpload   = "upload"
	ActionRemove   = "remove"
	ActionRollback = "rollback"
)

// Sentinel errors.
var (
	// ErrNotFound: no such version, or its module is no longer kept.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the name's log moved on since the caller read it.
	ErrConflict = errors.New("the plugin's version log changed meanwhile")
	// ErrCaseTwin: another name that differs only in case is served
	// (its last entry is not a removal); the error names it.
	ErrCaseTwin = errors.New("a plugin name differing only in case is served")
)

// Entry is one line of a plugin's version log.
type Entry struct {
	Name    string
	Version int64  // 1 for the first entry of the name, +1 for each next one, never reused
	Action  string // ActionUpload, ActionRemove or ActionRollback
	SHA256  string // hex; "" for a removal
	Size    int64  // of the module; 0 for a removal
	By      string // as the audit trail names the caller: an auth.* name, "admin", "in-process"
	From    string // the replica that recorded it
	At      time.Time
	// Signature is the module's detached ed25519 signature (the 64 raw
	// bytes) that came with the upload, or that of the entry a rollback
	// restored; nil when there was none. Every replica checks it against
	// its own deploy.trusted_keys before serving the entry.
	Signature []byte `json:",omitempty"`
}

// SignatureSize is the size of Entry.Signature when there is one: an
// ed25519 signature, stored raw.
const SignatureSize = 64

// checkSignature bounds what a log stores beside each entry.
func (e Entry) checkSignature() error {
	if e.Signature != nil && len(e.Signature) != SignatureSize {
		return fmt.Errorf("version log: a signature of %d bytes; one is %d raw bytes", len(e.Signature), SignatureSize)
	}
	return nil
}

// Serves reports whether the entry leaves a module served (an upload or
// a rollback), as opposed to a removal.
func (e Entry) Serves() bool { return e.Action != ActionRemove }

// Log is a version log.
type Log interface {
	// Record appends e to its name's log (e.Version and e.At are set
	// here), stores wasm under e.SHA256 unless it is stored already, and
	// keeps only the name's last keep entries, deleting the modules no
	// kept entry refers to. When expect is not negative, the name's last
	// version must be expect, or nothing is written and ErrConflict is
	// returned.
	Record(ctx context.Context, e Entry, wasm []byte, keep int, expect int64) (Entry, error)
	// History lists a name's kept entries, newest first; none for a name
	// never recorded.
	History(ctx context.Context, name string) ([]Entry, error)
	// Module returns the bytes stored under sha (hex), or ErrNotFound.
	Module(ctx context.Context, sha string) ([]byte, error)
}
