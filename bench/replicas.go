package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rpchost/rpchost/bench/load"
)

// replicaRow is one load measurement through HAProxy: the CPU columns add
// up every rpchost replica's CPU time, and HAProxy's apart.
type replicaRow struct {
	Target      string
	Concurrency int
	Readings    int // readings per request for records.ingest; 0 for add
	RPS         float64
	P50, P99    time.Duration
	Requests    uint64
	Errors      uint64
	FirstError  string
	ReplicaCPU  time.Duration // all replicas' CPU time per request
	BalancerCPU time.Duration // HAProxy's CPU time per request
	StoreCPU    time.Duration // PostgreSQL's CPU time per request
}

// replicasTarget is what replicaRow measures: where the load goes and whose
// CPU time counts.
type replicasTarget struct {
	target
	addr     string // the balancer's (or a replica's) host:port
	replicas []*server
	balancer *server // nil for a replica called directly
	store    int     // PostgreSQL's postmaster
}

// runReplicas measures rpchost replicas sharing one PostgreSQL behind
// HAProxy, configured with deploy/haproxy/haproxy.cfg as docs/deploy.md
// says: add(3, 4) and records.ingest with one replica and with three, and
// one replica called directly to show what the balancer costs. On a
// machine with few cores three replicas cannot be faster than one: they
// share the same CPUs, with HAProxy, PostgreSQL and the load generator.
func (h *harness) runReplicas(ctx context.Context) error {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		h.note("replicas: not measured: HAProxy is not installed (Debian's haproxy package)")
		return nil
	}
	h.logf("replicas: rpchost replicas on one PostgreSQL behind HAProxy, %v connections", h.opts.concurrency)
	h.logf(" starting PostgreSQL (internal/store/pgtest)")
	dsn, stopPG, err := startPostgres(h.logf)
	if err != nil {
		h.note("replicas: not measured: %v", err)
		return nil
	}
	defer func() {
		if err := stopPG(); err != nil {
			h.note("replicas: stopping PostgreSQL: %v", err)
		}
	}()
	pg, err := postmasterPID(dsn)
	if err != nil {
		return err
	}
	replicas := make([]*server, 3)
	for i := range replicas {
		// A plugin directory and a compilation cache per replica, as on
		// separate machines: replicas write the versions they learn from
		// the database into their directory.
		dir, err := h.ws.pluginDir("replicas-plugins", map[string]string{"add": h.ws.shipped("add"), "records": h.ws.shipped("records")})
		if err != nil {
			return err
		}
		cache, err := h.ws.dir("replicas-cache")
		if err != nil {
			return err
		}
		sp := h.ws.rpchostSpec(fmt.Sprintf("replica %d", i+1), dir, cache)
		sp.env = append(sp.env, "RPCHOST_STORE_DRIVER=postgres", "RPCHOST_STORE_DSN="+dsn, "RPCHOST_DEPLOY_DSN="+dsn,
			"RPCHOST_ADMIN_TOKEN="+replicasUploadToken, fmt.Sprintf("RPCHOST_DEPLOY_REPLICA=replica-%d", i+1))
		if replicas[i], err = h.servers.start(ctx, sp, h.opts.readyTimeout); err != nil {
			return err
		}
		defer h.stop(replicas[i])
	}
	one, err := h.startHAProxy(ctx, haproxy, "haproxy, 1 replica", []*server{replicas[0], replicas[0], replicas[0]})
	if err != nil {
		return err
	}
	defer h.stop(one)
	three, err := h.startHAProxy(ctx, haproxy, "haproxy, 3 replicas", replicas)
	if err != nil {
		return err
	}
	defer h.stop(three)
	h.res.Setup = append(h.res.Setup, "replicas: three `rpchost serve` on one PostgreSQL (internal/store/pgtest) as store (store.driver postgres) and deploy database (deploy.dsn), "+
		"plugins/add.wasm and plugins/records.wasm, a plugin directory and a compilation cache each; HAProxy "+haproxyVersion(haproxy)+" with deploy/haproxy/haproxy.cfg "+
		"(round robin, /readyz checks), its three servers all replica 1 for the 1-replica rows; CPU per request summed over the replicas, HAProxy's apart")

	// Uploads first, on otherwise idle replicas: the time to be served
	// everywhere is what compiling on every replica at once costs.
	uploads, err := h.measureUploads(ctx, replicas, h.opts.uploads)
	h.res.Uploads = append(h.res.Uploads, uploads...)
	if err != nil {
		return err
	}

	addBody := load.PythonCall("add", int64(3), int64(4))
	mk := func(name, addr string, rs []*server, lb *server) replicasTarget {
		return replicasTarget{target: target{name: name, body: addBody, want: 7}, addr: addr, replicas: rs, balancer: lb, store: pg}
	}
	targets := []replicasTarget{
		mk("add, replica 1 direct", replicas[0].addr, replicas[:1], nil),
		mk("add, HAProxy, 1 replica", one.addr, replicas[:1], one),
		mk("add, HAProxy, 3 replicas", three.addr, replicas, three),
	}
	for _, c := range h.opts.concurrency {
		for _, t := range targets {
			row, err := h.measureReplicas(ctx, t, c)
			if err != nil {
				return err
			}
			h.res.Replicas = append(h.res.Replicas, row)
		}
	}
	// B's job: every replica writes the same counters (records.stats), so
	// concurrent ingests conflict and are run again (internal/store/txn.go):
	// this is the cost of sharing one database, not of HAProxy.
	for _, lb := range []*server{one, three} {
		it := newIngestTarget("", lb)
		rs := replicas
		if lb == one {
			rs = replicas[:1]
		}
		t := replicasTarget{target: it.target, addr: lb.addr, replicas: rs, balancer: lb, store: pg}
		t.name = "records.ingest, " + lb.name
		row, err := h.measureReplicas(ctx, t, h.opts.ingestConcurrency)
		if err != nil {
			return err
		}
		h.res.Replicas = append(h.res.Replicas, row)
	}
	return nil
}

// measureReplicas runs the load generator against t.addr with c
// connections and samples the replicas', HAProxy's and PostgreSQL's CPU
// time as the window opens and closes.
func (h *harness) measureReplicas(ctx context.Context, t replicasTarget, c int) (replicaRow, error) {
	var cpu [2][3]time.Duration // [close][replicas, balancer, store]
	var sampleErr error
	sample := func() (out [3]time.Duration) {
		for _, r := range t.replicas {
			d, err := readCPUTime(r.pid())
			sampleErr = errors.Join(sampleErr, err)
			out[0] += d
		}
		if t.balancer != nil {
			d, err := readCPUTime(t.balancer.pid())
			sampleErr = errors.Join(sampleErr, err)
			out[1] = d
		}
		d, err := treeCPUTime(t.store)
		sampleErr = errors.Join(sampleErr, err)
		out[2] = d
		return out
	}
	res, err := load.Run(ctx, load.Config{
		Addr: t.addr, Body: t.body, Want: t.want, Prepare: t.prepare, Check: t.check,
		Connections: c, Warmup: h.opts.warmup, Duration: h.opts.duration, Timeout: h.opts.timeout,
		OnWindow: func(open bool) {
			if open {
				cpu[0] = sample()
			} else {
				cpu[1] = sample()
			}
		},
	})
	if err != nil {
		return replicaRow{}, fmt.Errorf("%s, %d connections: %w", t.name, c, err)
	}
	row := replicaRow{Target: t.name, Concurrency: c, Readings: t.readings, RPS: res.RequestsPerSecond(),
		P50: res.Latency.Percentile(50), P99: res.Latency.Percentile(99),
		Requests: res.Requests, Errors: res.ErrorCount(), FirstError: res.FirstError}
	if res.Requests > 0 && sampleErr == nil {
		n := time.Duration(res.Requests)
		row.ReplicaCPU = (cpu[1][0] - cpu[0][0]) / n
		row.BalancerCPU = (cpu[1][1] - cpu[0][1]) / n
		row.StoreCPU = (cpu[1][2] - cpu[0][2]) / n
	}
	if sampleErr != nil {
		h.note("%s, %d connections: sampling CPU time failed: %v", t.name, c, sampleErr)
	}
	if row.Errors > 0 {
		h.note("%s, %d connections: %d errors, the first: %s", t.name, c, row.Errors, row.FirstError)
	}
	h.logf("  %-34s c=%-3d %8.0f req/s  p50 %-9v p99 %-9v replicas' CPU %v/req  errors %d",
		t.name, c, row.RPS, row.P50, row.P99, row.ReplicaCPU, row.Errors)
	return row, nil
}

// startHAProxy runs HAProxy in the foreground with the example
// configuration, r1, r2 and r3 being backends, and waits until its health
// checks see every one up. It is tracked like the servers, so that it is
// stopped whatever happens.
func (h *harness) startHAProxy(ctx context.Context, haproxy, name string, backends []*server) (*server, error) {
	dir, err := os.MkdirTemp("/tmp", "bench-haproxy-") // a unix socket path must stay short
	if err != nil {
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	socket := filepath.Join(dir, "stats.sock")
	cmd := exec.Command(haproxy, "-db", "-f", filepath.Join(h.ws.root, "deploy", "haproxy", "haproxy.cfg"))
	cmd.Env = append(os.Environ(), "LB_LISTEN="+addr, "HAPROXY_STATS_SOCKET="+socket,
		"RPCHOST_1="+backends[0].addr, "RPCHOST_2="+backends[1].addr, "RPCHOST_3="+backends[2].addr)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s := &server{spec: spec{name: name, path: haproxy}, cmd: cmd, addr: addr, log: &lineLog{max: 5000}, done: make(chan struct{})}
	cmd.Stdout = s.log
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start %s: %w", name, err), os.RemoveAll(dir))
	}
	h.servers.mu.Lock()
	if h.servers.all == nil {
		h.servers.all = map[*server]bool{}
	}
	h.servers.all[s] = true
	h.servers.mu.Unlock()
	go func() {
		s.readStderr(stderr, make(chan string, 1)) // HAProxy logs no listening line
		_ = os.RemoveAll(dir)
	}()
	deadline := time.Now().Add(h.opts.readyTimeout)
	for {
		if up, err := haproxyAllUp(socket); err == nil && up {
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited (%v):\n%s", name, s.err, s.log.tail(20))
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), h.servers.stop(s))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, errors.Join(fmt.Errorf("%s: servers not up within %v:\n%s", name, h.opts.readyTimeout, s.log.tail(20)), h.servers.stop(s))
		}
	}
}

// haproxyAllUp says whether every server of the rpchost backend is UP,
// from "show servers state" on the stats socket (column 6 is the
// operational state, 2 = running).
func haproxyAllUp(socket string) (bool, error) {
	c, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return false, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("show servers state rpchost\n")); err != nil {
		return false, err
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return false, err
	}
	servers := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || line[0] == '#' || f[1] != "rpchost" {
			continue
		}
		servers++
		if f[5] != "2" {
			return false, nil
		}
	}
	return servers == 3, nil
}

// freePort returns a loopback address nothing listens on right now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// haproxyVersion is the first line of haproxy -v, shortened.
func haproxyVersion(haproxy string) string {
	out, err := exec.Command(haproxy, "-v").Output()
	if err != nil {
		return "(version unknown)"
	}
	f := strings.Fields(strings.Split(string(out), "\n")[0])
	if len(f) >= 3 {
		return f[2]
	}
	return "(version unknown)"
}

// replicas renders the replicas part.
func (p *printer) replicas(rows []replicaRow) {
	p.f("## Replicas: one PostgreSQL, HAProxy in front (deploy/haproxy/haproxy.cfg)\n\n")
	p.f("CPU per request: every replica's together, HAProxy's, PostgreSQL's (its backends included). " +
		"Every process shares the machine's CPUs: with as many replicas as cores or more, three replicas cannot serve more than one; " +
		"the rows show what the balancer and the shared store cost, not how a fleet scales.\n\n")
	var out [][]string
	for _, r := range rows {
		rate := fmt.Sprintf("%.0f req/s", r.RPS)
		if r.Readings > 0 {
			rate = fmt.Sprintf("%.0f readings/s", r.RPS*float64(r.Readings))
		}
		out = append(out, []string{r.Target, strconv.Itoa(r.Concurrency), rate, dur(r.P50), dur(r.P99),
			dur(r.ReplicaCPU), dur(r.BalancerCPU), dur(r.StoreCPU), strconv.FormatUint(r.Errors, 10)})
	}
	p.table([]string{"target", "conns", "throughput", "p50", "p99", "replicas' CPU/req", "HAProxy CPU/req", "PostgreSQL CPU/req", "errors"}, out)
}
