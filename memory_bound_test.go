package rpchost_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// memoryBoundConfig is a small configuration whose worst case the README's
// formula (Security model, "Worst-case memory") can be computed for. Every
// value is set, so that the formula below does not depend on defaults.
type memoryBoundConfig struct {
	plugins                        int   // plugin files served
	poolSize                       int   // pool.size
	maxQueue                       int   // limits.max_queue
	memoryMiB                      int64 // limits.memory_mib
	maxBodyBytes, maxInflightBytes int64 // limits.max_body_bytes, limits.max_inflight_bytes
	maxResultBytes                 int64 // limits.max_result_bytes
	maxItems                       int64 // limits.max_items
	maxTxnBytes, maxScanBytes      int64 // store.max_txn_bytes, store.max_scan_bytes
	maxUploadBytes                 int64 // admin.max_upload_bytes
	maxConnections                 int64 // http.max_connections
	maxHeaderBytes                 int64 // http.max_header_bytes
	compileSlots                   int64 // GOMAXPROCS
	idleBytes                      int64 // measured: the server at rest with its plugins loaded
}

func (c memoryBoundConfig) env() []string {
	return []string{
		fmt.Sprintf("RPCHOST_POOL_SIZE=%d", c.poolSize),
		fmt.Sprintf("RPCHOST_LIMITS_MAX_QUEUE=%d", c.maxQueue),
		fmt.Sprintf("RPCHOST_LIMITS_MEMORY_MIB=%d", c.memoryMiB),
		fmt.Sprintf("RPCHOST_LIMITS_MAX_BODY_BYTES=%d", c.maxBodyBytes),
		fmt.Sprintf("RPCHOST_LIMITS_MAX_INFLIGHT_BYTES=%d", c.maxInflightBytes),
		fmt.Sprintf("RPCHOST_LIMITS_MAX_RESULT_BYTES=%d", c.maxResultBytes),
		fmt.Sprintf("RPCHOST_LIMITS_MAX_ITEMS=%d", c.maxItems),
		fmt.Sprintf("RPCHOST_STORE_MAX_TXN_BYTES=%d", c.maxTxnBytes),
		fmt.Sprintf("RPCHOST_STORE_MAX_SCAN_BYTES=%d", c.maxScanBytes),
		fmt.Sprintf("RPCHOST_ADMIN_MAX_UPLOAD_BYTES=%d", c.maxUploadBytes),
		fmt.Sprintf("RPCHOST_HTTP_MAX_CONNECTIONS=%d", c.maxConnections),
		fmt.Sprintf("RPCHOST_HTTP_MAX_HEADER_BYTES=%d", c.maxHeaderBytes),
		fmt.Sprintf("GOMAXPROCS=%d", c.compileSlots),
		"RPCHOST_LIMITS_CALL_TIMEOUT=2s",
		"RPCHOST_LIMITS_LOAD_TIMEOUT=1s",
		"RPCHOST_ADMIN_TOKEN=tok3n",
	}
}

// worstCase is README's formula, term by term.
func (c memoryBoundConfig) worstCase() (total int64, terms map[string]int64) {
	calls := int64(c.plugins * c.poolSize)
	terms = map[string]int64{
		"idle server": c.idleBytes,
		"instances":   calls * (c.memoryMiB<<20 + instanceOverhead + c.maxBodyBytes),
		"bodies":      4*c.maxInflightBytes + c.maxConnections*connectionBytes(c.maxHeaderBytes),
		// Responses are charged to the in-flight budget while written, but
		// forcibly: the calls already running when it filled still send
		// theirs, each with its gzip copy (a queued call is not run then).
		"responses":    2 * calls * (c.maxResultBytes + valueBytes*c.maxItems),
		"results":      calls * (2*c.maxResultBytes + valueBytes*c.maxItems),
		"store":        calls * (c.maxTxnBytes + 3*c.maxScanBytes),
		"compilations": c.compileSlots * compileBytes(c.maxUploadBytes),
	}
	// Go's collector lets the heap reach twice what is live (GOGC=100)
	// before it collects, and linear memory is Go heap too (a discarded
	// instance's goes two collections later, through wazero's finalizer):
	// every term but the idle server counts twice.
	heap := terms["instances"] + terms["bodies"] + terms["responses"] + terms["results"] + terms["store"] + terms["compilations"]
	terms["GC headroom"] = heap
	for _, v := range terms {
		total += v
	}
	return total, terms
}

// The constants of README's formula, measured on this project's modules.
const (
	instanceOverhead = 4 << 20   // an instance's state beside its linear memory (a Go guest: ~2 MiB), plus its call buffer (max_body_bytes)
	valueBytes       = 100       // host bytes per value of a result: 40 as a Go value, up to 43 in XML, and slack
	compileBase      = 128 << 20 // a compilation's fixed cost, within the structural limits
)

// connectionBytes bounds what an open connection holds: its goroutine,
// buffers and first 4 KiB of body (64 KiB), plus its headers while they
// are read: net/http reads up to http.max_header_bytes + 4 KiB, and a line
// is assembled in a slice that grows by doubling, then parsed into
// strings, so three times that at most.
func connectionBytes(maxHeaderBytes int64) int64 { return 64<<10 + 3*(maxHeaderBytes+4<<10) }

// compileBytes bounds what compiling one module of at most size bytes holds.
func compileBytes(size int64) int64 { return compileBase + 4*size }

// TestWorstCaseMemoryHolds runs the attacks of the hardening pass together
// against one server and checks that its peak resident memory stays under
// README's worst-case formula for its configuration, while add(3, 4) from
// another client keeps being answered.
func TestWorstCaseMemoryHolds(t *testing.T) {
	cfg := memoryBoundConfig{
		plugins: 3, poolSize: 2, maxQueue: 8, memoryMiB: 32,
		maxBodyBytes: 4 << 20, maxInflightBytes: 16 << 20,
		maxResultBytes: 2 << 20, maxItems: 100_000,
		maxTxnBytes: 2 << 20, maxScanBytes: 2 << 20,
		maxUploadBytes: 1 << 20, maxConnections: 256, maxHeaderBytes: 32 << 10, compileSlots: 2,
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))
	writeFile(t, filepath.Join(dir, "hostile.wasm"), readFile(t, "host/testdata/hostile.wasm"))
	writeFile(t, filepath.Join(dir, "kvflood.wasm"), readFile(t, "host/testdata/kvflood.wasm"))
	s := startServer(t, dir, cfg.env()...)
	time.Sleep(300 * time.Millisecond) // the first instances settle
	idle, _ := procMemory(t, s)
	cfg.idleBytes = idle
	bound, terms := cfg.worstCase()
	t.Logf("worst case for this configuration: %d MiB (%v MiB)", bound>>20, mib(terms))

	stop := make(chan struct{})
	add := watchAdd(t, s.URL, stop)
	var wg sync.WaitGroup
	until := time.Now().Add(6 * time.Second)
	repeat := func(what string, f func()) {
		wg.Go(func() {
			for n := 0; time.Now().Before(until); n++ {
				f()
			}
		})
	}
	call := func(method string, args ...any) func() {
		c := dial(t, s.URL)
		return func() {
			var got any
			_ = c.Call(method, args, &got) // each ends in its fault; only memory and add matter here
		}
	}
	// Procedures: memory bombs, slow iterations, spinning, store floods and scans.
	repeat("bomb", call("hostile.bomb"))
	repeat("fill", call("hostile.fill"))
	repeat("random", call("hostile.random"))
	repeat("spin", call("hostile.spin"))
	repeat("flood", call("kvflood.flood", 1000))
	repeat("flood", call("kvflood.flood", 1000))
	repeat("scan", call("kvflood.scan", 10000))
	// Requests: connections announcing whole bodies and sending part.
	u, _ := url.Parse(s.URL)
	repeat("bodies", func() {
		var conns []net.Conn
		for range 40 {
			c, err := net.DialTimeout("tcp", u.Host, time.Second)
			if err != nil {
				continue
			}
			conns = append(conns, c)
			_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
			_, _ = c.Write([]byte(post("/", cfg.maxBodyBytes, "")))
			_, _ = c.Write(make([]byte, 1<<20))
		}
		time.Sleep(500 * time.Millisecond)
		for _, c := range conns {
			c.Close()
		}
	})
	// Uploads: a module whose start function loops, again and again.
	loopStart := readFile(t, "host/testdata/loop_start.wasm")
	repeat("upload", func() {
		req, _ := http.NewRequest(http.MethodPut, s.URL+"/plugins/looper.wasm", bytes.NewReader(loopStart))
		req.Header.Set("Authorization", "Bearer tok3n")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	wg.Wait()
	close(stop)

	rss, peak := procMemory(t, s)
	t.Logf("all attacks together for 6 s: peak resident %d MiB, now %d MiB, idle before %d MiB; README's bound %d MiB",
		peak>>20, rss>>20, idle>>20, bound>>20)
	if peak > bound {
		t.Errorf("peak resident memory %d MiB is over README's worst case of %d MiB for this configuration", peak>>20, bound>>20)
	}
	checkAdd(t, "during all the attacks together", add)
}

func mib(terms map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(terms))
	for k, v := range terms {
		out[k] = v >> 20
	}
	return out
}
