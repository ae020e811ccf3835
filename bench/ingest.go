package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
)

// ingestTarget is one B: a server answering records.ingest and
// records.stats, the requests it has been sent, and what it had stored
// before the measurements.
type ingestTarget struct {
	target
	sent   atomic.Uint64 // requests sent (prepared): request n is batch n/2
	before int64         // records.stats count before the first load run
}

// runIngest is B's real job: the same records.ingest batches of 500
// readings sent to rpchost's records plugin (on bbolt, and on PostgreSQL
// when one can be started) and to the Python B written the classic way
// (classic_b.py: SimpleXMLRPCServer, ThreadingMixIn, sqlite3), after
// checking that they reject the same readings of a tricky batch; then
// every server's count must be what it acknowledged.
func (h *harness) runIngest(ctx context.Context) error {
	h.logf("ingest: records.ingest of %d readings, %d connections", ingestReadings, h.opts.ingestConcurrency)
	dir, err := h.ws.pluginDir("ingest-plugins", map[string]string{"records": h.ws.shipped("records"), "types": h.ws.shipped("types")})
	if err != nil {
		return err
	}
	echo := echoBody()
	h.res.Setup = append(h.res.Setup, fmt.Sprintf("ingest: records.ingest of %d readings (%s per request), %d connections; "+
		"rpchost with plugins/records.wasm on bbolt (an fsync per commit) and on PostgreSQL from internal/store/pgtest (default durability); "+
		"rpchost records (Rust): sdk/rust/examples/records.wasm, the same service built from Rust, served as records.wasm on bbolt by a server of its own; "+
		"python B: bench/classic_b.py, SimpleXMLRPCServer + ThreadingMixIn, HTTP/1.0, sqlite3 with one transaction per call, rollback journal, synchronous=FULL; "+
		"types.echo: the same readings to plugins/types.wasm on the bbolt server; with -baseline, the baseline's records.wasm and types.wasm on a bbolt server of its own",
		ingestReadings, kib(len(newIngestBatch(0).body)), h.opts.ingestConcurrency))
	var targets []*ingestTarget
	var echoes []target // types.echo of the same batch, on the bbolt servers
	startRPC := func(b *build, pluginDir, cache, name string, env ...string) error {
		sp := h.ws.rpchostSpecOf(b, name, pluginDir, cache)
		sp.env = append(sp.env, env...)
		s, err := h.servers.start(ctx, sp, h.opts.readyTimeout)
		if err != nil {
			return err
		}
		targets = append(targets, newIngestTarget(name, s))
		return nil
	}
	startBolt := func(b *build, pluginDir, cache string) error {
		boltDir, err := h.ws.dir("ingest-bbolt-" + b.name)
		if err != nil {
			return err
		}
		if err := startRPC(b, pluginDir, cache, b.name+" records, bbolt", "RPCHOST_STORE_DRIVER=bbolt", "RPCHOST_STORE_DIR="+boltDir); err != nil {
			return err
		}
		s := targets[len(targets)-1].server
		checker, err := newEchoChecker(echo)
		if err != nil {
			return err
		}
		echoes = append(echoes, target{name: b.name + " types.echo", server: s, body: echo, readings: ingestReadings, check: checker.check})
		return nil
	}
	if err := startBolt(h.ws.cur, dir, h.cacheDir); err != nil {
		return err
	}
	defer h.stop(targets[0].server)
	// The same service built from Rust (sdk/rust/examples/records), served
	// as records.wasm by a server of its own: the guest language's share.
	rustDir, err := h.ws.pluginDir("ingest-plugins-rust", map[string]string{"records": rustRecords(h.ws.cur)})
	if err != nil {
		return fmt.Errorf("the Rust records plugin: %w", err)
	}
	rustBolt, err := h.ws.dir("ingest-bbolt-rust")
	if err != nil {
		return err
	}
	if err := startRPC(h.ws.cur, rustDir, h.cacheDir, rustIngestTarget, "RPCHOST_STORE_DRIVER=bbolt", "RPCHOST_STORE_DIR="+rustBolt); err != nil {
		return err
	}
	defer h.stop(targets[len(targets)-1].server)
	if b := h.ws.base; b != nil {
		bdir, err := h.ws.pluginDir("ingest-plugins-baseline", map[string]string{"records": b.shipped("records"), "types": b.shipped("types")})
		if err != nil {
			return err
		}
		if err := startBolt(b, bdir, h.baseCacheDir); err != nil {
			return err
		}
		defer h.stop(targets[len(targets)-1].server)
	}
	h.logf(" starting PostgreSQL (internal/store/pgtest)")
	if dsn, stopPG, err := startPostgres(h.logf); err != nil {
		h.note("ingest: rpchost on PostgreSQL was not measured: %v", err)
		h.logf(" PostgreSQL not measured: %v", err)
	} else {
		defer func() {
			if err := stopPG(); err != nil {
				h.note("ingest: stopping PostgreSQL: %v", err)
			}
		}()
		if err := startRPC(h.ws.cur, dir, h.cacheDir, "rpchost records, postgres", "RPCHOST_STORE_DRIVER=postgres", "RPCHOST_STORE_DSN="+dsn); err != nil {
			return err
		}
		if pid, err := postmasterPID(dsn); err != nil {
			h.note("ingest: PostgreSQL's own CPU time is not reported: %v", err)
		} else {
			targets[len(targets)-1].store = pid
		}
		defer h.stop(targets[len(targets)-1].server) // before PostgreSQL stops
	}
	if h.ws.python != "" {
		pyDir, err := h.ws.dir("ingest-python")
		if err != nil {
			return err
		}
		py, err := h.servers.start(ctx, spec{name: "python-b", path: h.ws.python,
			args: []string{filepath.Join(h.ws.root, "bench", "classic_b.py"), "0", filepath.Join(pyDir, "b.sqlite")},
			dir:  h.ws.tmp}, h.opts.readyTimeout)
		if err != nil {
			return err
		}
		defer h.stop(py)
		targets = append(targets, newIngestTarget("python B, sqlite3", py))
	} else {
		h.note("python3 is not installed: the Python B was not measured")
	}

	if err := h.checkRejections(ctx, targets); err != nil {
		return err
	}
	plain := make([]target, len(targets), len(targets)+len(echoes))
	for i, t := range targets {
		if t.before, err = storedCount(ctx, t.server.addr); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		plain[i] = t.target
	}
	for _, e := range echoes {
		// One call before measuring: a wrong echo fails here, with its
		// reason, rather than as errors in the window.
		resp, err := post(ctx, e.server.addr, e.body)
		if err == nil {
			err = e.check(resp)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		h.res.IngestChecks = append(h.res.IngestChecks, fmt.Sprintf("echo: %s returned its param, the %d readings, value for value; every response in the window was then compared byte for byte with that one",
			e.name, ingestReadings))
	}
	plain = append(plain, echoes...)
	rows, err := h.interleave(ctx, plain, []int{h.opts.ingestConcurrency})
	h.res.Ingest = append(h.res.Ingest, rows...)
	if err != nil {
		return err
	}
	for _, t := range targets {
		h.checkStored(ctx, t)
	}
	return nil
}

// rustIngestTarget is the row of the Rust build of the records plugin.
const rustIngestTarget = "rpchost records (Rust), bbolt"

// rustRecords is the Rust build of the records plugin committed in b's
// tree.
func rustRecords(b *build) string {
	return filepath.Join(b.root, "sdk", "rust", "examples", "records.wasm")
}

func newIngestTarget(name string, s *server) *ingestTarget {
	batch := newIngestBatch(0)
	t := &ingestTarget{}
	t.target = target{name: name, server: s, body: batch.body, readings: ingestReadings, check: checkIngestResponse,
		prepare: func(body []byte) { batch.write(body, t.sent.Add(1)-1) }}
	return t
}

// checkRejections sends the tricky batch to every server and compares the
// results with the first's.
func (h *harness) checkRejections(ctx context.Context, targets []*ingestTarget) error {
	body := trickyIngest()
	var first ingestOutcome
	for i, t := range targets {
		resp, err := post(ctx, t.server.addr, body)
		if err != nil {
			return fmt.Errorf("%s: the tricky batch: %w", t.name, err)
		}
		o, err := parseIngestOutcome(resp)
		if err != nil {
			return fmt.Errorf("%s: the tricky batch: %w", t.name, err)
		}
		if i == 0 {
			first = o
			continue
		}
		if d := first.diff(o); d != "" {
			h.res.IngestChecks = append(h.res.IngestChecks, fmt.Sprintf("**differs**: the tricky batch (%d readings) got different results from %s and %s: %s",
				o.Stored+int64(len(o.Rejected)), targets[0].name, t.name, d))
			continue
		}
		h.res.IngestChecks = append(h.res.IngestChecks, fmt.Sprintf("same: %s and %s stored %d and rejected the same %d readings of the tricky batch, for the same reasons",
			targets[0].name, t.name, o.Stored, len(o.Rejected)))
	}
	return nil
}

// checkStored compares a server's count with what it acknowledged: every
// request sent got a response (the load generator lets requests in flight
// finish), and request pair n/2 writes the same 500 ids, so the count
// grew by 500 per pair.
func (h *harness) checkStored(ctx context.Context, t *ingestTarget) {
	sent := t.sent.Load()
	want := t.before + int64((sent+1)/2)*ingestReadings
	got, err := storedCount(ctx, t.server.addr)
	switch {
	case err != nil:
		h.res.IngestChecks = append(h.res.IngestChecks, fmt.Sprintf("**failed**: %s: %v", t.name, err))
	case got != want:
		h.res.IngestChecks = append(h.res.IngestChecks, fmt.Sprintf("**differs**: %s counts %d readings after %d batches (half of them replacing), want %d; see errors",
			t.name, got, sent, want))
	default:
		h.res.IngestChecks = append(h.res.IngestChecks, fmt.Sprintf("stored: %s counts %d readings after %d batches of %d (half of them replacing the other half's), as acknowledged",
			t.name, got, sent, ingestReadings))
	}
}
