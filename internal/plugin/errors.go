package plugin

import "errors"

// Sentinel errors of a call; host turns each into a distinct fault.
var (
	// ErrTrap means the guest trapped (unreachable, out-of-bounds access,
	// out of memory, a Go runtime panic, proc_exit). The instance is discarded.
	ErrTrap = errors.New("procedure trapped")
	// ErrTimeout means the call ran past its time limit and was stopped.
	ErrTimeout = errors.New("procedure exceeded its time limit")
	// ErrBusy means no instance became free before the call's deadline.
	ErrBusy = errors.New("all instances of the plugin are busy")
	// ErrClosed means the plugin was unloaded.
	ErrClosed = errors.New("plugin is closed")
	// ErrProtocol means the guest broke ABI v1 (a malformed result, say).
	ErrProtocol = errors.New("procedure broke the rpchost ABI")
	// ErrMemoryLimit means the guest trapped with its linear memory at the
	// limit: it ran out of memory. The instance is discarded.
	ErrMemoryLimit = errors.New("procedure ran out of memory")
	// ErrOutputLimit means the guest wrote more to stdout and stderr in one
	// call than the limit allows. The instance is discarded.
	ErrOutputLimit = errors.New("procedure wrote too much output")
	// ErrStorage means the call's writes could not be committed (a quota,
	// a full disk, a lost database); the call fails and its writes are gone.
	ErrStorage = errors.New("storing the call's writes failed")
	// ErrResultTooLarge means the guest's result is over the limit.
	ErrResultTooLarge = errors.New("procedure result too large")
	// ErrManifestLimit means the module's manifest is over one of the
	// manifest limits (manifest.go); the module is refused.
	ErrManifestLimit = errors.New("manifest over a limit")
)
