package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rpchost/rpchost/internal/deploy"
	"github.com/rpchost/rpchost/internal/pgerr"
)

// Timing of the link to the deploy database.
const (
	// deployConnectTimeout bounds one attempt to connect, create the
	// schema and catch up, at start and at each retry.
	deployConnectTimeout = 10 * time.Second
	// deployPing: with no notification for this long, the replica
	// compares what it serves with the log (one query), so a database gone
	// without closing the connection (a cut network) is noticed, and a
	// file copied by hand over a version the database has is replaced.
	deployPing = 5 * time.Second
	// Retries back off from deployRetryMin to deployRetryMax.
	deployRetryMin = 200 * time.Millisecond
	deployRetryMax = 5 * time.Second
)

// startDeploy connects to the deploy database, catches up with its
// version log, and starts the goroutine that listens for changes. A
// database that does not answer does not stop the start: the replica
// serves its plugin directory (the cache of what it last learnt) and the
// goroutine keeps trying.
func (h *Host) startDeploy(ctx context.Context) {
	d := h.deploy
	if d.pg == nil {
		return
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.stop, d.done, d.auditEnd = cancel, make(chan struct{}), make(chan struct{})
	d.audits = make(chan deploy.AuditEntry, auditQueue)
	go h.writeAudits(bg)
	l, err := h.connectDeploy(ctx)
	if err != nil {
		h.deployDown(err)
	}
	go h.listenDeploy(bg, l)
}

// stopDeploy stops the listener and the audit writer and closes the pool.
func (h *Host) stopDeploy() error {
	d := h.deploy
	if d == nil || d.pg == nil {
		return nil
	}
	if d.stop != nil {
		d.stop()
		<-d.done
		<-d.auditEnd
	}
	return d.pg.Close()
}

// connectDeploy creates the schema if missing, LISTENs, then compares
// what this replica serves with the log: LISTEN first, so that nothing
// recorded after the comparison is missed.
func (h *Host) connectDeploy(ctx context.Context) (*deploy.Listener, error) {
	d := h.deploy
	dctx, cancel := context.WithTimeout(ctx, deployConnectTimeout)
	defer cancel()
	if err := d.pg.Setup(dctx); err != nil {
		return nil, err
	}
	l, err := d.pg.Listen(dctx)
	if err != nil {
		return nil, err
	}
	if err := h.syncAll(ctx); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	h.deployUp()
	return l, nil
}

// listenDeploy applies the changes other replicas record, until ctx ends.
func (h *Host) listenDeploy(ctx context.Context, l *deploy.Listener) {
	d := h.deploy
	defer close(d.done)
	defer func() {
		if l != nil {
			_ = l.Close()
		}
	}()
	retry := deployRetryMin
	for ctx.Err() == nil {
		if l == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(retry):
			}
			var err error
			if l, err = h.connectDeploy(ctx); err != nil {
				h.deployDown(err)
				retry = min(2*retry, deployRetryMax)
				continue
			}
			retry = deployRetryMin
		}
		wctx, cancel := context.WithTimeout(ctx, deployPing)
		name, err := l.Wait(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			err = h.syncName(ctx, name)
		case errors.Is(err, context.DeadlineExceeded):
			// Quiet for a while: compare with the log. It proves the
			// database still answers, and puts back a version a file
			// copied by hand over one the database has.
			err = h.syncAll(ctx)
		}
		if err != nil && ctx.Err() == nil {
			h.deployDown(err)
			_ = l.Close()
			l = nil
		}
	}
}

// deployDown records that the database does not answer: logged once per
// outage, not at every retry.
func (h *Host) deployDown(err error) {
	err = pgerr.Redact(err, "the deploy database")
	d := h.deploy
	d.state.Lock()
	wasUp := d.up || d.downAt.IsZero()
	d.up, d.downErr = false, err
	if wasUp {
		d.downAt = time.Now()
	}
	d.state.Unlock()
	if wasUp {
		h.logger.Error("deploy database unreachable; serving the plugin versions loaded, retrying", "error", err.Error())
	}
}

// deployUp records that the database answers and this replica caught up.
func (h *Host) deployUp() {
	d := h.deploy
	d.state.Lock()
	wasDown, since := !d.up && !d.downAt.IsZero(), d.downAt
	d.up, d.downErr, d.downAt = true, nil, time.Time{}
	d.state.Unlock()
	if wasDown {
		h.logger.Info("deploy database reachable again; caught up with its version log", "down_for", time.Since(since).Round(time.Millisecond))
	}
}

// deployNote is what /readyz adds while the deploy database is away: the
// replica is ready (it serves), but stale if the fleet changes meanwhile.
func (h *Host) deployNote() string {
	d := h.deploy
	if d == nil || d.pg == nil {
		return ""
	}
	h.mu.Lock()
	none := len(h.plugins) == 0
	h.mu.Unlock()
	if none && d.nothingToServe() {
		return "no plugins yet: the deploy database has none to serve; upload one"
	}
	d.state.Lock()
	defer d.state.Unlock()
	if d.up {
		return ""
	}
	msg := "deploy database unreachable"
	if !d.downAt.IsZero() {
		msg += fmt.Sprintf(" since %s", d.downAt.UTC().Format(time.RFC3339))
	}
	if d.downErr != nil {
		msg += ": " + d.downErr.Error()
	}
	return msg + "; serving the plugin versions loaded"
}

// syncAll makes this replica serve the last version of every plugin the
// log has; names the log has never seen (files copied by hand) are left
// alone.
func (h *Host) syncAll(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, deployConnectTimeout)
	latest, err := h.deploy.pg.Latest(dctx)
	cancel()
	if err != nil {
		return err
	}
	h.deploy.loggedAll(latest)
	for _, e := range latest {
		if err := h.syncEntry(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// syncName applies the last entry of one plugin's log.
func (h *Host) syncName(ctx context.Context, name string) error {
	if checkPluginName(name) != nil {
		return nil // not a notification of ours
	}
	dctx, cancel := context.WithTimeout(ctx, deployConnectTimeout)
	hist, err := h.deploy.pg.History(dctx, name)
	cancel()
	if err != nil || len(hist) == 0 {
		return err
	}
	h.deploy.logged(hist[0])
	return h.syncEntry(ctx, hist[0])
}

// syncEntry makes this replica serve what e says. Only the database's
// errors are returned: a module that does not load here is refused (and
// logged once) as a file would be, and the previous version keeps serving.
func (h *Host) syncEntry(ctx context.Context, e deploy.Entry) error {
	d := h.deploy
	// compiling before d.mu, as an upload takes them: the other order
	// deadlocks with an upload waiting for d.mu while Close waits to
	// write-lock compiling.
	h.compiling.RLock()
	defer h.compiling.RUnlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if h.closed.Load() {
		return nil
	}
	if e.Version < d.applied[e.Name] {
		return nil // read before a newer version was recorded or applied here
	}
	d.applied[e.Name] = e.Version
	if !e.Serves() {
		return h.syncRemoval(ctx, e)
	}
	if l := h.current(e.Name); l != nil && l.sha256 == e.SHA256 {
		return nil
	}
	h.installMu.Lock()
	r, refused := h.rejected[e.Name]
	h.installMu.Unlock()
	if refused && r.sha256 == e.SHA256 && d.refused[e.Name] == e.Version {
		return nil
	}
	// The database's answers are bounded in time; compiling is not
	// (load_timeout and the structural limits bound it), since a big
	// module on a busy machine may take longer than a query should.
	dctx, cancel := context.WithTimeout(ctx, deployConnectTimeout)
	wasm, err := d.pg.Module(dctx, e.SHA256)
	cancel()
	if err != nil {
		return err
	}
	if sum := sha256.Sum256(wasm); hex.EncodeToString(sum[:]) != e.SHA256 {
		return fmt.Errorf("deploy database: module %s has other bytes (sha256 %x)", e.SHA256, sum)
	}
	h.logger.Info("deploying a version recorded in the deploy database", "plugin", e.Name, "version", e.Version, "action", e.Action, "by", e.By, "from", e.From, "sha256", e.SHA256)
	// The signature recorded with the entry: checked against this
	// replica's deploy.trusted_keys, and written beside the module, so
	// that it loads again after a restart.
	p, digest, start, err := h.compileModule(ctx, e.Name, wasm, e.Signature, "deploy")
	if err == nil {
		err = h.installCompiled(ctx, e.Name, wasm, e.Signature, digest, p, start)
	}
	if err != nil && !errors.Is(err, ErrClosed) && ctx.Err() == nil { // cut short is not refused: tried again
		d.refused[e.Name] = e.Version
		h.installMu.Lock()
		h.reject(e.Name, fileStat{}, time.Now(), e.SHA256, err)
		h.installMu.Unlock()
	}
	return nil
}

// syncRemoval stops serving a plugin the log says was removed, and
// deletes its file, this replica's copy.
func (h *Host) syncRemoval(ctx context.Context, e deploy.Entry) error {
	_, statErr := os.Stat(filepath.Join(h.cfg.pluginDir, e.Name+wasmExt))
	if h.current(e.Name) == nil && errors.Is(statErr, os.ErrNotExist) {
		return nil
	}
	h.logger.Info("removing a plugin as the deploy database records", "plugin", e.Name, "version", e.Version, "by", e.By, "from", e.From)
	if err := h.removeLocal(ctx, e.Name, nil); err != nil && !errors.Is(err, ErrNoSuchPlugin) && !errors.Is(err, ErrClosed) {
		h.logger.Error("removing a plugin the deploy database removed failed", "plugin", e.Name, "error", err.Error())
	}
	return nil
}
