package main

import (
	"time"
)

// results is everything one run measured; report.go renders it.
type results struct {
	Started  time.Time
	Finished time.Time
	Command  string
	Baseline string // the -baseline revision measured beside the working tree, "" for none
	Machine  machine
	Setup    []string // how the run was set up: builds, GOMAXPROCS, durations
	Load     []loadRow
	Sizes    []loadRow
	Ingest   []loadRow // records.ingest batches, Readings per request
	// IngestChecks say what the ingest part verified: the same readings
	// rejected by every server, and every acknowledged reading stored.
	IngestChecks []string
	Startup      []startupRow
	Plugins      []pluginsRow
	Reload       []reloadRow
	Replicas     []replicaRow // replicas behind HAProxy (replicas.go)
	Uploads      []uploadRow  // upload to one replica, served by all (replicas_upload.go)
	Micro        []microRow
	BaseMicro    []microRow // the same benchmarks in the baseline's tree
	Notes        []string   // anything that went wrong or needs saying
}

// loadRow is one load-generator measurement of one server.
type loadRow struct {
	Target      string // what was measured: "rpchost add", "ceiling", ...
	Concurrency int
	Ints        int // array length for the request-size curve; 0 otherwise
	Readings    int // readings per request in the ingest part; 0 otherwise
	BodyBytes   int
	RPS         float64
	P50, P99    time.Duration
	Max         time.Duration
	Requests    uint64
	Errors      uint64
	FirstError  string
	Dials       uint64        // connections opened in the window
	ServerCPU   time.Duration // server CPU time per request (0: unknown)
	ClientCPU   time.Duration // load generator CPU time per request
	StoreCPU    time.Duration // a separate store server's CPU time per request (PostgreSQL)
	ServerRSS   int64         // server's resident memory at the window's end
}

// startupRow is one way of starting rpchost, measured several times.
type startupRow struct {
	Case     string          // "shipped plugins, cold cache", ...
	Ready    []time.Duration // process start to the listening line, one per run
	Reported []time.Duration // the startup= the server logs (config to listening)
	RSS      []int64         // resident memory once listening
}

// pluginsRow is rpchost with N copies of one plugin.
type pluginsRow struct {
	Build     string // "rpchost" or "baseline"
	Plugins   int
	Kind      string        // "identical copies, warm cache", "distinct copies, cold cache", ...
	Ready     time.Duration // process start to the listening line
	RSSReady  int64
	RSSCalled int64 // after one call to every plugin, and a second to settle
	Peak      int64 // VmHWM at the end
	// CodeReady and CodeCalled are the resident bytes of executable
	// mappings (/proc/<pid>/smaps): the server's own text and the machine
	// code wazero compiled, which distinct modules do not share.
	CodeReady, CodeCalled int64
	// PerIdle and PerPlugin are the memory each plugin beyond the
	// smallest identical row of the same build adds, when listening (no
	// plugin called yet) and after one call to each:
	// (RSS of this row - of that row) / (N - its N).
	PerIdle, PerPlugin int64
	// PerCode is the same for CodeCalled: compiled code per extra plugin.
	PerCode int64
	// FirstCalls are the latencies of the first call to each plugin, in
	// the order made: calls to plugins never called before.
	FirstCalls []time.Duration
	CallErrors int
}

// reloadRow is the hot-reload latency with or without the cache.
type reloadRow struct {
	Case   string
	Bytes  int64           // the size of the new version's .wasm file
	Serve  []time.Duration // file written to the new version answering
	Loaded []time.Duration // the load time the server logged for the new version
}

// microRow is one `go test -bench` result.
type microRow struct {
	Name        string
	NsPerOp     []float64 // one per -count
	BytesPerOp  int64
	AllocsPerOp int64
}
