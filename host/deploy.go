package host

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rpchost/rpchost/internal/deploy"
	"github.com/rpchost/rpchost/internal/pgerr"
)

// Sentinel errors of history and rollback.
var (
	// ErrNoSuchVersion: a rollback named a version the log does not keep
	// (deploy.keep_versions), or a removal, or there is nothing to roll
	// back to.
	ErrNoSuchVersion = errors.New("no such version")
	// ErrDeployUnavailable: the deploy database (deploy.dsn) did not
	// answer, so an upload, removal or rollback could not be recorded
	// for the other replicas and was not made. The replica keeps serving.
	ErrDeployUnavailable = errors.New("the deploy database is unreachable")
)

// versionsDir is where, on one machine, the version log sits: beside the
// plugins, hidden, so neither the loader nor the watcher looks at it.
const versionsDir = ".versions"

// deployer keeps the version log of the plugins: in the plugin directory
// on one machine, in PostgreSQL (pg) when replicas share plugins.
type deployer struct {
	log     deploy.Log
	pg      *deploy.Postgres // nil on one machine
	keep    int
	replica string

	// mu makes each change of what this replica serves, recorded here or
	// learnt from the database, one step: record and install, or read
	// and install. Taken before installMu, never while a module runs.
	mu sync.Mutex
	// refused: name → the version of its log syncEntry last tried and
	// refused here, so that it is not fetched and compiled again at each
	// comparison with the log, while a later entry (the same module
	// uploaded again, signed) is tried. Guarded by mu.
	refused map[string]int64
	// applied: name → the newest version of its log this replica recorded
	// or applied. A sync reads the log before it takes mu, so what it read
	// may be older than what an upload here recorded meanwhile; applying
	// it would put the old version back (syncEntry skips it). Guarded by mu.
	applied map[string]int64

	state    sync.Mutex // guards the fields below
	up       bool       // the database answered last time it was asked
	downErr  error
	downAt   time.Time
	stop     context.CancelFunc
	done     chan struct{} // closed when the listener goroutine ends
	upGauge  prometheus.GaugeFunc
	audits   chan deploy.AuditEntry
	dropped  prometheus.Counter
	auditEnd chan struct{}

	// What the log says the fleet serves, for /readyz: name → its last
	// entry serves a module; logKnown once the whole log was read.
	// Guarded by state.
	logServes map[string]bool
	logKnown  bool
}

// newDeployer opens the version log. With deploy.dsn it only parses the
// DSN: connecting is startDeploy's, which does not fail when the database
// is away.
func (h *Host) newDeployer() error {
	d := &deployer{keep: h.cfg.deploy.keepVersions, replica: h.cfg.replicaName(),
		refused: map[string]int64{}, applied: map[string]int64{}, logServes: map[string]bool{}}
	h.deploy = d
	if h.cfg.deploy.dsn == "" {
		d.log = deploy.NewDir(filepath.Join(h.cfg.pluginDir, versionsDir), MaxModuleFileBytes)
		return nil
	}
	pg, err := deploy.OpenPostgres(h.cfg.deploy.dsn)
	if err != nil {
		return err
	}
	d.pg, d.log = pg, pg
	d.upGauge = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "rpchost_deploy_database_up",
		Help: "1 while the deploy database (deploy.dsn) answers, 0 while this replica serves the versions it has without it.",
	}, func() float64 {
		d.state.Lock()
		defer d.state.Unlock()
		if d.up {
			return 1
		}
		return 0
	})
	d.dropped = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "rpchost_deploy_audit_dropped_total",
		Help: "Audit entries not written to the deploy database (it was unreachable, or more than 1,024 were waiting); the log has every one.",
	})
	h.metrics.reg.MustRegister(d.upGauge, d.dropped)
	return nil
}

// logged notes the last entry of a name's log, recorded here or read.
func (d *deployer) logged(e deploy.Entry) {
	d.state.Lock()
	d.logServes[e.Name] = e.Serves()
	d.state.Unlock()
}

// loggedAll replaces what the log is known to serve with latest, every
// name's last entry.
func (d *deployer) loggedAll(latest map[string]deploy.Entry) {
	d.state.Lock()
	defer d.state.Unlock()
	clear(d.logServes)
	for name, e := range latest {
		d.logServes[name] = e.Serves()
	}
	d.logKnown = true
}

// neverReached reports whether plugins are distributed (deploy.dsn) and
// the deploy log has not been read since this replica started: it does not
// know which versions the fleet serves (the database is away, or deploy.dsn
// names the wrong one), so it should not be sent calls yet. An outage
// after the first read does not count: the replica keeps serving what the
// fleet served.
func (d *deployer) neverReached() bool {
	if d == nil || d.pg == nil {
		return false
	}
	d.state.Lock()
	defer d.state.Unlock()
	return !d.logKnown
}

// nothingToServe reports whether plugins are distributed (deploy.dsn) and
// the deploy log, as last read, has no plugin to serve: a fresh fleet,
// whose replicas have nothing to wait for before they are ready.
func (d *deployer) nothingToServe() bool {
	if d == nil || d.pg == nil {
		return false
	}
	d.state.Lock()
	defer d.state.Unlock()
	if !d.logKnown {
		return false
	}
	for _, serves := range d.logServes {
		if serves {
			return false
		}
	}
	return true
}

// record writes one entry of the version log, with the module's signature
// (raw, as modsig.Parse returns it; nil for none). Callers hold d.mu.
func (h *Host) record(ctx context.Context, name, action, digest string, wasm, sig []byte, expect int64) (deploy.Entry, error) {
	d := h.deploy
	e := deploy.Entry{Name: name, Action: action, SHA256: digest, Size: int64(len(wasm)), By: h.callerName(ctx), From: d.replica, Signature: sig}
	ctx, cancel := context.WithTimeout(ctx, deployConnectTimeout) // a query, held under d.mu: bounded
	defer cancel()
	e, err := d.log.Record(ctx, e, wasm, d.keep, expect)
	if err != nil && d.pg != nil && !errors.Is(err, deploy.ErrConflict) && !errors.Is(err, deploy.ErrCaseTwin) {
		return e, fmt.Errorf("%w: %v; nothing was changed", ErrDeployUnavailable, pgerr.Redact(err, "the deploy database"))
	}
	if errors.Is(err, deploy.ErrConflict) {
		return e, fmt.Errorf("%w: %v; try again", ErrNoSuchVersion, err)
	}
	if errors.Is(err, deploy.ErrCaseTwin) {
		return e, fmt.Errorf("%w: plugin name %q: %v, and the configuration (plugin.<name>.…) cannot tell them apart; rename one", ErrBadPluginName, name, err)
	}
	if err == nil {
		d.logged(e)
		d.applied[e.Name] = max(d.applied[e.Name], e.Version)
	}
	return e, err
}

// Deployment is one entry of a plugin's version log.
type Deployment struct {
	Name    string
	Version int64  // 1 for the name's first deployment, +1 for each next
	Action  string // "upload", "remove" or "rollback"
	SHA256  string // "" for a removal
	Size    int64
	By      string // as the audit trail names the caller: an auth.* name, "admin", "in-process"
	From    string // the replica that made it (deploy.replica)
	At      time.Time
	Signed  bool // a signature came with the module, and is kept with the entry
}

func toDeployment(e deploy.Entry) Deployment {
	return Deployment{Name: e.Name, Version: e.Version, Action: e.Action, SHA256: e.SHA256, Size: e.Size,
		By: e.By, From: e.From, At: e.At, Signed: e.Signature != nil}
}

// History lists the kept entries of a plugin's version log, newest first:
// every upload, removal and rollback made through Upload, Remove and
// Rollback (on any replica, with deploy.dsn), at most deploy.keep_versions.
// A file copied into the directory by hand is not in it.
func (h *Host) History(ctx context.Context, name string) ([]Deployment, error) {
	list, err := h.history(ctx, name)
	if err != nil {
		return nil, err
	}
	out := make([]Deployment, len(list))
	for i, e := range list {
		out[i] = toDeployment(e)
	}
	return out, nil
}

// history is History with the log's entries, signatures included.
func (h *Host) history(ctx context.Context, name string) ([]deploy.Entry, error) {
	name, err := pluginName(name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, deployConnectTimeout)
	defer cancel()
	list, err := h.deploy.log.History(ctx, name)
	if err != nil {
		if h.deploy.pg != nil {
			err = fmt.Errorf("%w: %v", ErrDeployUnavailable, pgerr.Redact(err, "the deploy database"))
		}
		return nil, err
	}
	return list, nil
}

// Rollback serves an earlier version of a plugin again, recorded as a new
// entry of its log (action "rollback"), on every replica with deploy.dsn.
// version 0 means the latest earlier version whose module differs from
// the one served (or, after a removal, the last one served). Like Upload,
// it checks no token; every attempt is logged.
func (h *Host) Rollback(ctx context.Context, name string, version int64) (Deployment, error) {
	e, err := h.rollback(ctx, name, version)
	var info *PluginInfo
	if err == nil {
		info = &PluginInfo{Version: int(e.Version), Size: int(e.Size), SHA256: e.SHA256}
	}
	h.audit(ctx, "rollback", name, info, err)
	return toDeployment(e), err
}

func (h *Host) rollback(ctx context.Context, name string, version int64) (deploy.Entry, error) {
	if h.closed.Load() {
		return deploy.Entry{}, ErrClosed
	}
	name, err := pluginName(name)
	if err != nil {
		return deploy.Entry{}, err
	}
	if version < 0 {
		return deploy.Entry{}, fmt.Errorf("%w: %d; versions count from 1", ErrNoSuchVersion, version)
	}
	hist, err := h.history(ctx, name)
	if err != nil {
		return deploy.Entry{}, err
	}
	if len(hist) == 0 {
		return deploy.Entry{}, fmt.Errorf("%w: %s has no version log (only uploads, removals and rollbacks are recorded)", ErrNoSuchPlugin, name)
	}
	cur := hist[0]
	served := ""
	if l := h.current(name); l != nil {
		served = l.sha256 // a file copied by hand may differ from the log's current entry
	}
	target, err := rollbackTarget(hist, version, served)
	if err != nil {
		return deploy.Entry{}, err
	}
	mctx, cancel := context.WithTimeout(ctx, deployConnectTimeout)
	wasm, err := h.deploy.log.Module(mctx, target.SHA256)
	cancel()
	if errors.Is(err, deploy.ErrNotFound) {
		return deploy.Entry{}, fmt.Errorf("%w: the module of %s version %d is no longer kept", ErrNoSuchVersion, name, target.Version)
	}
	if err != nil {
		if h.deploy.pg != nil {
			err = fmt.Errorf("%w: %v", ErrDeployUnavailable, pgerr.Redact(err, "the deploy database"))
		}
		return deploy.Entry{}, err
	}
	// The signature recorded with the entry restored: checked against this
	// replica's deploy.trusted_keys, written beside the module, and
	// recorded with the new entry, for the other replicas.
	_, e, err := h.deployModule(ctx, name, wasm, target.Signature, deploy.ActionRollback, cur.Version)
	return e, err
}

// rollbackTarget picks the entry to restore from hist (newest first).
func rollbackTarget(hist []deploy.Entry, version int64, served string) (deploy.Entry, error) {
	cur := hist[0]
	if served == "" && cur.Action != deploy.ActionRemove {
		served = cur.SHA256 // not loaded here (refused, say): compare with the log
	}
	if version > 0 {
		for _, e := range hist {
			if e.Version != version {
				continue
			}
			switch {
			case e.Action == deploy.ActionRemove:
				return e, fmt.Errorf("%w: %s version %d is a removal; roll back to a version that served a module", ErrNoSuchVersion, e.Name, version)
			case e.Version == cur.Version && e.SHA256 == served:
				return e, fmt.Errorf("%w: %s version %d is the current one", ErrNoSuchVersion, e.Name, version)
			case e.SHA256 == served:
				// Recording it again would change nothing but push an
				// older version out of the log.
				return e, fmt.Errorf("%w: %s version %d is the module served now (sha256 %s)", ErrNoSuchVersion, e.Name, version, served)
			}
			return e, nil
		}
		return deploy.Entry{}, fmt.Errorf("%w: %s has no version %d; it keeps versions %s (deploy.keep_versions)", ErrNoSuchVersion, cur.Name, version, keptVersions(hist))
	}
	for _, e := range hist {
		if e.Action != deploy.ActionRemove && e.SHA256 != served && (e.Version != cur.Version) {
			return e, nil
		}
	}
	return deploy.Entry{}, fmt.Errorf("%w: %s has no earlier version to roll back to among those kept (%s)", ErrNoSuchVersion, cur.Name, keptVersions(hist))
}

func keptVersions(hist []deploy.Entry) string {
	if len(hist) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d to %d", hist[len(hist)-1].Version, hist[0].Version)
}

// auditQueue bounds the audit entries waiting for the database: a flood
// of refused attempts must not grow memory, nor wait on the database.
const auditQueue = 1024

// auditDB queues an administration attempt for the database's audit
// table, when plugins are distributed; the log line is audit's.
func (h *Host) auditDB(ctx context.Context, action, name string, info *PluginInfo, err error) {
	d := h.deploy
	if d == nil || d.audits == nil {
		return
	}
	a := deploy.AuditEntry{At: time.Now().UTC(), Replica: d.replica, Action: action, Plugin: name,
		By: h.callerName(ctx), Remote: callerOf(ctx).remote, Outcome: "accepted"}
	if info != nil {
		a.SHA256 = info.SHA256
	}
	if err != nil {
		a.Outcome, a.Reason = "refused", err.Error()
		if len(a.Reason) > 500 {
			a.Reason = a.Reason[:500] + "…"
		}
	}
	select {
	case d.audits <- a:
	default:
		d.dropped.Inc()
	}
}

// writeAudits drains the audit queue into the database until ctx ends,
// then writes what is left (bounded by a few seconds).
func (h *Host) writeAudits(ctx context.Context) {
	d := h.deploy
	defer close(d.auditEnd)
	flush := func(ctx context.Context, first deploy.AuditEntry) {
		batch := []deploy.AuditEntry{first}
		for len(batch) < 100 {
			select {
			case a := <-d.audits:
				batch = append(batch, a)
				continue
			default:
			}
			break
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := d.pg.Audit(wctx, batch); err != nil {
			d.dropped.Add(float64(len(batch)))
		}
	}
	for {
		select {
		case a := <-d.audits:
			flush(ctx, a)
		case <-ctx.Done():
			// What is queued gets a few seconds, not one timeout per batch.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
			defer cancel()
			for {
				select {
				case a := <-d.audits:
					if dctx.Err() != nil {
						d.dropped.Inc()
						continue
					}
					flush(dctx, a)
				default:
					return
				}
			}
		}
	}
}
