package rpchost_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"

	"github.com/rpchost/rpchost/internal/store/pgtest"
	"github.com/rpchost/rpchost/internal/testutil"
)

// Several replicas on this machine (issue 15, part 4): PostgreSQL, three
// rpchost processes sharing it as their store, and HAProxy in front of
// them with the configuration docs/deploy.md gives
// (deploy/haproxy/haproxy.cfg), while service A's collector sends readings
// through the balancer the whole time.

// haproxyConfig is the example configuration, used unchanged.
const haproxyConfig = "deploy/haproxy/haproxy.cfg"

// readingsPerRun is what one collector run sends, in one records.ingest
// call: a run that exits 0 and says it stored them all is one
// acknowledgement.
const readingsPerRun = 25

func TestReplicasBehindHAProxy(t *testing.T) {
	haproxy := requireTool(t, "haproxy")
	dsn := pgtest.NewDatabase(t, pgtest.Start(t)) // skips without PostgreSQL, fails under CI=true
	collector := buildCollector(t)

	// Store and plugins on the same database, each replica named in the
	// version log; the plugin directories start empty.
	const token = "replicas-t0ken"
	// Every ingest rewrites the same counters (records.stats), so ingests
	// on different replicas conflict and run again (internal/store/txn.go);
	// on this shared 2-core machine a run of retries has taken more than the
	// default 5 s. What is tested here is that no call is lost or fails for
	// a deploy, not how fast a starved machine retries: docs/deploy.md says
	// to leave writing plugins room.
	const ingestTimeout = "RPCHOST_PLUGIN_RECORDS_CALL_TIMEOUT=30s"
	replicas := make([]*server, 3)
	dirs := make([]string, len(replicas))
	addrs := make([]string, len(replicas))
	env := func(i int) []string {
		return []string{"RPCHOST_STORE_DRIVER=postgres", "RPCHOST_STORE_DSN=" + dsn, "RPCHOST_DEPLOY_DSN=" + dsn,
			"RPCHOST_ADMIN_TOKEN=" + token, fmt.Sprintf("RPCHOST_DEPLOY_REPLICA=replica-%d", i+1), ingestTimeout}
	}
	for i := range replicas {
		dirs[i] = t.TempDir()
		replicas[i] = startServer(t, dirs[i], env(i)...)
		addrs[i] = strings.TrimSuffix(strings.TrimPrefix(replicas[i].URL, "http://"), "/")
	}

	// records v1, uploaded to replica 1, is served by every replica.
	uploaded := time.Now()
	upload(t, replicas[0].URL, token, "records", "plugins/records.wasm")
	t.Logf("records v1 uploaded to replica 1: served by all three %v later", waitRule(t, replicas, "v1", uploaded).Round(time.Millisecond))

	// HAProxy in front, every replica ready (a replica serving no plugin
	// is not), then service A's collector through it.
	lb := startHAProxy(t, haproxy, addrs)
	lb.waitStatus(t, map[string]string{"r1": "UP", "r2": "UP", "r3": "UP"})
	load := startLoad(t, collector, lb.URL, 3)
	load.waitAcks(t, 20)
	// Round robin: every replica has answered calls from the balancer.
	for name, n := range lb.answered(t) {
		if n == 0 {
			t.Fatalf("HAProxy sent no call to %s: %v", name, lb.answered(t))
		}
	}

	// records v2, uploaded to replica 3 mid-load: every replica switches,
	// and no call fails (each replica compiles v2 before the swap).
	uploaded = time.Now()
	upload(t, replicas[2].URL, token, "records", "examples/deploy/records-v2.wasm")
	t.Logf("records v2 uploaded to replica 3 mid-load: served by all three %v later", waitRule(t, replicas, "v2", uploaded).Round(time.Millisecond))
	load.waitAcks(t, load.acks()+20)
	if f := load.failures(); len(f) > 0 {
		t.Fatalf("calls failed through the balancer with every replica up, across the switch to v2:\n%s", strings.Join(f, "\n"))
	}

	// kill -9 replica 2 mid-load: the calls it was running may fail (the
	// client never got an answer, so nothing was acknowledged), every call
	// started afterwards goes through the other two.
	killed := replicas[1]
	killedAt := time.Now()
	if err := killed.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Until the process is gone its listening socket still accepts
	// connections, which are then reset: calls started before deadAt
	// could be sent to it.
	deadAt := waitRefused(t, addrs[1])
	t.Logf("the killed replica stopped accepting connections %v after SIGKILL", deadAt.Sub(killedAt).Round(time.Millisecond))
	lb.waitStatus(t, map[string]string{"r1": "UP", "r2": "DOWN", "r3": "UP"})
	t.Logf("HAProxy marked the killed replica DOWN %v after the kill", time.Since(killedAt).Round(time.Millisecond))
	answeredAtDown := lb.answered(t)
	load.waitAcks(t, load.acks()+20)
	after := lb.answered(t)
	for _, name := range []string{"r1", "r3"} {
		if after[name] <= answeredAtDown[name] {
			t.Errorf("%s answered no call after r2 was marked down (%d, then %d)", name, answeredAtDown[name], after[name])
		}
	}

	// Roll back to v1 with the CLI, on replica 3, mid-load: both survivors
	// follow.
	survivors := []*server{replicas[0], replicas[2]}
	rolledBack := time.Now()
	out := runScript(t, rpchostBinary(t), "rollback", "records", "--server", replicas[2].URL, "--token", token)
	t.Logf("rpchost rollback records: %s", strings.TrimSpace(out))
	t.Logf("rolled back to v1 on replica 3 mid-load: served by both survivors %v later", waitRule(t, survivors, "v1", rolledBack).Round(time.Millisecond))
	load.waitAcks(t, load.acks()+20)

	runs := load.stop()
	t.Logf("collector runs: %d acknowledged, %d failed (of %d readings each)", len(runs.acked), len(runs.failed), readingsPerRun)
	for _, f := range runs.failed {
		if f.start.After(deadAt) || f.end.Before(killedAt) {
			t.Errorf("run %s failed and was not in flight at the kill (%v to %v, SIGKILL at %v, gone at %v): %s",
				f.runID, f.start.Format(time.StampMilli), f.end.Format(time.StampMilli), killedAt.Format(time.StampMilli), deadAt.Format(time.StampMilli), f.err)
		} else {
			t.Logf("run %s was in flight at the kill and failed, as it may: %s", f.runID, firstLine(f.err))
		}
	}

	// Every acknowledged reading is stored: asked through the balancer, so
	// through both survivors, and each survivor asked directly.
	checkAcknowledged(t, lb.URL, runs)
	low, high := int64(len(runs.acked)*readingsPerRun), int64((len(runs.acked)+len(runs.failed))*readingsPerRun)
	var count int64
	for _, r := range survivors {
		if count, _ = recordStats(t, dial(t, r.URL)); count < low || count > high {
			t.Errorf("%s: records.stats count = %d, want between %d (acknowledged) and %d (sent)", r.URL, count, low, high)
		}
	}

	// The version log says who deployed what from where.
	history := runScript(t, rpchostBinary(t), "history", "records", "--server", replicas[0].URL, "--token", token)
	for _, want := range []string{"replica-1", "replica-3", "rollback"} {
		if !strings.Contains(history, want) {
			t.Errorf("rpchost history records does not mention %q:\n%s", want, history)
		}
	}

	// The killed replica, started again over the directory it left (v2 in
	// it), serves what the database says: v1, and the same records.
	back := startServer(t, dirs[1], env(1)...)
	restarted := time.Now()
	waitRule(t, []*server{back}, "v1", restarted)
	if got, _ := recordStats(t, dial(t, back.URL)); got != count {
		t.Errorf("the restarted replica counts %d records, the survivors %d", got, count)
	}
}

// upload sends the module in file to the replica at url as plugin name
// (PUT /plugins/<name>.wasm with the admin token).
func upload(t *testing.T, url, token, name, file string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url+"plugins/"+name+".wasm", bytes.NewReader(readFile(t, file)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("upload %s to %s: %v", file, url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload %s to %s: %s\n%s", file, url, resp.Status, body)
	}
}

// ruleOf says which records build a replica serves, from the deployment
// rule system.methodHelp shows: "v1" (plugins/records.wasm), "v2"
// (examples/deploy/records-v2.wasm), or "" when records is not served.
func ruleOf(url string) string {
	c, err := xmlrpc.NewClient(url, nil)
	if err != nil {
		return ""
	}
	defer c.Close()
	var help string
	switch err := c.Call("system.methodHelp", []any{"records.ingest"}, &help); {
	case err != nil:
		return ""
	case strings.Contains(help, "(v2)"):
		return "v2"
	case strings.Contains(help, "between -1e9 and 1e9"):
		return "v1"
	}
	return ""
}

// waitRule asks each replica directly until every one serves want, and
// returns how long after since that took.
func waitRule(t *testing.T, replicas []*server, want string, since time.Time) time.Duration {
	t.Helper()
	deadline := since.Add(60 * time.Second)
	for {
		var got []string
		all := true
		for _, r := range replicas {
			rule := ruleOf(r.URL)
			got = append(got, rule)
			all = all && rule == want
		}
		if all {
			return time.Since(since)
		}
		if time.Now().After(deadline) {
			t.Fatalf("records served by the replicas 60 s on: %q, want %s everywhere", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// buildCollector builds service A's Go collector
// (examples/clients/go/collector) once per test.
func buildCollector(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "collector")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if b, err := exec.CommandContext(ctx, "go", "build", "-o", out, "./examples/clients/go/collector").CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/clients/go/collector: %v\n%s", err, b)
	}
	return out
}

// balancer is a running HAProxy.
type balancer struct {
	URL    string
	socket string // its stats socket
	logs   *testutil.SyncBuffer
}

// startHAProxy runs HAProxy in the foreground on a free port, with the
// example configuration and r1, r2, r3 at addrs, and stops it when the test
// ends.
func startHAProxy(t *testing.T, haproxy string, addrs []string) *balancer {
	t.Helper()
	if len(addrs) != 3 {
		t.Fatalf("the example configuration has 3 servers, not %d", len(addrs))
	}
	dir, err := os.MkdirTemp("/tmp", "replicas-haproxy-") // a unix socket path must stay short
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	listen := freeAddr(t)
	b := &balancer{URL: "http://" + listen + "/", socket: filepath.Join(dir, "stats.sock"), logs: new(testutil.SyncBuffer)}
	cfg, err := filepath.Abs(haproxyConfig)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(haproxy, "-db", "-f", cfg) // -db: foreground, no daemon
	cmd.Env = append(os.Environ(), "LB_LISTEN="+listen, "HAPROXY_STATS_SOCKET="+b.socket,
		"RPCHOST_1="+addrs[0], "RPCHOST_2="+addrs[1], "RPCHOST_3="+addrs[2])
	cmd.Stdout, cmd.Stderr = b.logs, b.logs
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt) // HAProxy stops at once on SIGINT/SIGTERM
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("HAProxy's output:\n%s", b.logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.Dial("unix", b.socket); err == nil {
			_ = c.Close()
			return b
		}
		select {
		case err := <-exited:
			t.Fatalf("HAProxy exited: %v\n%s", err, b.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("HAProxy's stats socket did not appear within 30 s:\n%s", b.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitRefused waits until nothing accepts connections at addr and returns
// when that was first seen.
func waitRefused(t *testing.T, addr string) time.Time {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return time.Now()
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections 30 s after SIGKILL", addr)
		}
		time.Sleep(time.Millisecond)
	}
}

// freeAddr returns a loopback address no one listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// stat returns "show stat" of the rpchost backend's servers: name → the
// row's fields by column name.
func (b *balancer) stat(t *testing.T) map[string]map[string]string {
	t.Helper()
	c, err := net.DialTimeout("unix", b.socket, 5*time.Second)
	if err != nil {
		t.Fatalf("HAProxy stats socket: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("show stat\n")); err != nil {
		t.Fatalf("HAProxy stats socket: %v", err)
	}
	r := csv.NewReader(bufio.NewReader(c))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("HAProxy show stat: %v, %d rows", err, len(rows))
	}
	header := rows[0]
	header[0] = strings.TrimPrefix(header[0], "# ")
	out := map[string]map[string]string{}
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, v := range row {
			if i < len(header) {
				m[header[i]] = v
			}
		}
		if m["pxname"] == "rpchost" && m["svname"] != "BACKEND" {
			out[m["svname"]] = m
		}
	}
	return out
}

// waitStatus waits until HAProxy's health checks give each server the
// status wanted ("UP", "DOWN").
func (b *balancer) waitStatus(t *testing.T, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := b.stat(t)
		got := map[string]string{}
		same := true
		for name, w := range want {
			got[name] = st[name]["status"]
			// "UP 1/2": going down, one check failed so far.
			if got[name] != w {
				same = false
			}
		}
		if same {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("HAProxy server status %v after 30 s, want %v", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// answered returns how many 2xx responses each server has given through
// the balancer.
func (b *balancer) answered(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for name, row := range b.stat(t) {
		n, err := strconv.Atoi(row["hrsp_2xx"])
		if err != nil {
			t.Fatalf("HAProxy hrsp_2xx of %s = %q", name, row["hrsp_2xx"])
		}
		out[name] = n
	}
	return out
}

// load runs service A's collector in a loop from several workers.
type load struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	runs   runs
	acked  chan struct{} // signalled on every acknowledgement
}

// runs is what the collector runs gave.
type runs struct {
	acked  []string // run ids, each readingsPerRun readings acknowledged
	failed []failedRun
}

type failedRun struct {
	runID      string
	start, end time.Time
	err        string
}

var collectorStoredRE = regexp.MustCompile(`stored (\d+), rejected (\d+)`)

// startLoad runs workers loops of the collector against url, each run
// sending readingsPerRun new readings (ids w<worker>-<n>-<i>) in one
// records.ingest call, until stop.
func startLoad(t *testing.T, collector, url string, workers int) *load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{cancel: cancel, acked: make(chan struct{}, 1)}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				runID := fmt.Sprintf("w%d-%06d", w, n)
				start := time.Now()
				// Not CommandContext: stopping the load lets the run in
				// flight finish, so that its outcome is known.
				out, err := exec.Command(collector, "-server", url, "-run-id", runID, "-seed", strconv.Itoa(n+1),
					"-count", strconv.Itoa(readingsPerRun), "-batch", strconv.Itoa(readingsPerRun), "-quiet").CombinedOutput()
				end := time.Now()
				m := collectorStoredRE.FindSubmatch(out)
				l.mu.Lock()
				if err == nil && m != nil && string(m[1]) == strconv.Itoa(readingsPerRun) {
					l.runs.acked = append(l.runs.acked, runID)
					select {
					case l.acked <- struct{}{}:
					default:
					}
				} else {
					l.runs.failed = append(l.runs.failed, failedRun{runID, start, end, fmt.Sprintf("%v: %s", err, out)})
				}
				l.mu.Unlock()
			}
		}()
	}
	t.Cleanup(func() { l.stop() })
	return l
}

func (l *load) acks() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.runs.acked)
}

// failures describes the failed runs so far.
func (l *load) failures() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, f := range l.runs.failed {
		out = append(out, f.runID+": "+f.err)
	}
	return out
}

// waitAcks waits until n runs in all have been acknowledged.
func (l *load) waitAcks(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for l.acks() < n {
		select {
		case <-l.acked:
		case <-deadline:
			t.Fatalf("%d collector runs acknowledged after 2 minutes, want %d; failures:\n%s", l.acks(), n, strings.Join(l.failures(), "\n"))
		}
	}
}

// stop ends the load, waits for the runs in flight, and returns them all.
func (l *load) stop() runs {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.runs
}

// checkAcknowledged asks url for every reading of every acknowledged run,
// 1,000 records.get a system.multicall.
func checkAcknowledged(t *testing.T, url string, r runs) {
	t.Helper()
	c := dial(t, url)
	var ids []string
	for _, run := range r.acked {
		for i := range readingsPerRun {
			ids = append(ids, fmt.Sprintf("%s-%06d", run, i))
		}
	}
	missing := 0
	for len(ids) > 0 {
		batch := ids[:min(1000, len(ids))]
		ids = ids[len(batch):]
		calls := make([]any, len(batch))
		for i, id := range batch {
			calls[i] = map[string]any{"methodName": "records.get", "params": []any{id}}
		}
		var out []any
		if err := c.Call("system.multicall", []any{calls}, &out); err != nil {
			t.Fatalf("system.multicall of %d records.get: %v", len(batch), err)
		}
		for i, o := range out {
			a, ok := o.([]any)
			if rec, _ := firstOf(a).(map[string]any); !ok || rec["id"] != batch[i] {
				if missing++; missing <= 10 {
					t.Errorf("acknowledged reading %s: records.get gave %v", batch[i], o)
				}
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d acknowledged readings missing", missing)
	}
	t.Logf("all %d acknowledged readings are stored", len(r.acked)*readingsPerRun)
}

func firstOf(a []any) any {
	if len(a) == 0 {
		return nil
	}
	return a[0]
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
