// Command bench measures rpchost side by side with the classic Python
// XML-RPC server and a bare Go HTTP server (the ceiling), in one run, on
// this machine, over loopback, with one load generator:
//
//	go run ./bench                        # everything, a few minutes
//	go run ./bench -only throughput -duration 2s
//
// It builds rpchost, the ceiling and the sum plugin into a temporary
// directory, starts every server as a process of its own on 127.0.0.1,
// stops all of them at the end (on error and ctrl-C too), prints what it
// measures and writes bench/results/<date>-<time>-<host>.md. See bench/README.md
// for what each number means.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// parts are the measurements, in the order they run.
var parts = []string{"throughput", "size", "ingest", "startup", "plugins", "reload", "replicas", "micro"}

type options struct {
	only              []string
	duration          time.Duration
	warmup            time.Duration
	concurrency       []int
	headline          int
	sizes             []int
	sizeConcurrency   int
	ingestConcurrency int
	pluginCounts      []int
	distinctCounts    []int
	baselineCounts    []int // copies of the baseline's add in the plugins part
	baseline          string
	reps              int
	uploads           int // uploads timed in the replicas part
	rounds            int
	procs             int
	serverProcs       int
	timeout           time.Duration
	readyTimeout      time.Duration
	reloadTimeout     time.Duration
	microCount        int
	microTime         string
	out               string
	cpuProfile        string
}

func parseFlags(args []string) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o options
	only := fs.String("only", strings.Join(parts, ","), "parts to run, comma-separated: "+strings.Join(parts, ", "))
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "measured window of each load run")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "warm-up before each window (not measured)")
	conc := fs.String("concurrency", "1,8,64", "connections for the throughput part")
	fs.IntVar(&o.headline, "headline", 8, "the concurrency the targets are judged at")
	sizes := fs.String("sizes", "10,1000,100000", "array lengths for the request-size part")
	fs.IntVar(&o.sizeConcurrency, "size-concurrency", 8, "connections for the request-size part")
	fs.IntVar(&o.ingestConcurrency, "ingest-concurrency", 4, "connections for the ingest part")
	counts := fs.String("plugin-counts", "1,10,100,1000", "identical copies of add for the plugins part (1000 takes a minute or more; leave it out for a quick run)")
	baseCounts := fs.String("baseline-plugin-counts", "1,10,100", "identical copies of the baseline's add for the plugins part, with -baseline (today's build holds ~5 MiB per copy: 1000 would be over 5 GiB)")
	fs.StringVar(&o.baseline, "baseline", "", "a git revision to build and measure beside the working tree (e.g. the commit before the work measured); none by default")
	distinct := fs.String("distinct-counts", "10", "distinct copies of add (each compiled on its own) for the plugins part; empty for none")
	fs.IntVar(&o.reps, "reps", 3, "repetitions of each start-up and reload case")
	fs.IntVar(&o.uploads, "uploads", 5, "uploads timed in the replicas part, each to the next replica")
	fs.IntVar(&o.rounds, "rounds", 1, "rounds of the load measurements (the median round is kept)")
	fs.IntVar(&o.procs, "procs", 1, "GOMAXPROCS of the load generator")
	fs.IntVar(&o.serverProcs, "server-procs", 0, "GOMAXPROCS of the Go servers, rpchost and the ceiling (0: their default, one per CPU)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "time limit of one request")
	fs.DurationVar(&o.readyTimeout, "ready-timeout", 3*time.Minute, "time limit for a server to start listening")
	fs.DurationVar(&o.reloadTimeout, "reload-timeout", 30*time.Second, "time limit for a reloaded plugin to answer")
	fs.IntVar(&o.microCount, "micro-count", 3, "go test -count for the micro-benchmarks")
	fs.StringVar(&o.microTime, "micro-benchtime", "1s", "go test -benchtime for the micro-benchmarks")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the harness (the load generator) to this file")
	fs.StringVar(&o.out, "out", "", `results file (default bench/results/<date>-<time>-<host>.md; "-" for none)`)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var errs []error
	for _, p := range strings.Split(*only, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !slices.Contains(parts, p) {
			errs = append(errs, fmt.Errorf("-only: unknown part %q (parts: %s)", p, strings.Join(parts, ", ")))
		}
		o.only = append(o.only, p)
	}
	var err error
	if o.concurrency, err = ints("-concurrency", *conc); err != nil {
		errs = append(errs, err)
	}
	if o.sizes, err = ints("-sizes", *sizes); err != nil {
		errs = append(errs, err)
	}
	if o.pluginCounts, err = ints("-plugin-counts", *counts); err != nil {
		errs = append(errs, err)
	}
	if o.distinctCounts, err = ints("-distinct-counts", *distinct); err != nil {
		errs = append(errs, err)
	}
	if o.baselineCounts, err = ints("-baseline-plugin-counts", *baseCounts); err != nil {
		errs = append(errs, err)
	}
	if o.baseline != "" {
		if err := checkRev(o.baseline); err != nil {
			errs = append(errs, err)
		}
	}
	if o.duration <= 0 || o.warmup < 0 || o.reps < 1 || o.uploads < 1 || o.rounds < 1 || o.procs < 1 || o.microCount < 1 || o.sizeConcurrency < 1 || o.ingestConcurrency < 1 {
		errs = append(errs, errors.New("-duration, -reps, -uploads, -rounds, -procs, -micro-count, -size-concurrency and -ingest-concurrency must be positive, -warmup not negative"))
	}
	if o.serverProcs < 0 {
		errs = append(errs, errors.New("-server-procs must not be negative"))
	}
	return o, errors.Join(errs...)
}

// ints parses a comma-separated list of positive integers.
func ints(flagName, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive integer", flagName, f)
		}
		out = append(out, n)
	}
	return out, nil
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first ctrl-C, a second one kills the harness at once (the
	// servers die with it: see spec).
	context.AfterFunc(ctx, stop)
	if err := run(ctx, opts); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// harness is one run: its options, workspace, servers and results.
type harness struct {
	opts     options
	ws       *workspace
	servers  servers
	res      *results
	cacheDir string // the compilation cache of the load parts
	// baseCacheDir is the baseline's: its wazero may not read the
	// working tree's cache entries.
	baseCacheDir string
}

func run(ctx context.Context, opts options) (err error) {
	h := &harness{opts: opts, res: &results{Started: time.Now(), Command: "go run ./bench " + strings.Join(os.Args[1:], " ")}}
	h.res.Command = strings.TrimSpace(h.res.Command)
	runtime.GOMAXPROCS(opts.procs)
	if opts.cpuProfile != "" {
		stopProfile, err := startCPUProfile(opts.cpuProfile)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, stopProfile()) }()
	}
	defer func() {
		err = errors.Join(err, h.servers.stopAll())
		if h.ws != nil {
			err = errors.Join(err, h.ws.close())
		}
	}()
	if h.ws, err = newWorkspace(ctx, opts.serverProcs, opts.baseline, h.logf); err != nil {
		return err
	}
	h.res.Machine = describeMachine(ctx, h.ws.python)
	if h.cacheDir, err = h.ws.dir("cache-load"); err != nil {
		return err
	}
	h.res.Setup = append(h.res.Setup, "source measured: "+h.ws.source)
	if b := h.ws.base; b != nil {
		h.res.Baseline = b.rev
		if h.baseCacheDir, err = h.ws.dir("cache-load-baseline"); err != nil {
			return err
		}
		h.res.Setup = append(h.res.Setup, "baseline: the tree of "+b.rev+" (git archive), built as below, with its own plugins/*.wasm and bench/guests/sum, "+
			"measured beside the working tree in the same run, target by target, interleaved; its own compilation caches")
	}
	h.res.Setup = append(h.res.Setup, h.ws.builds...)
	h.res.Setup = append(h.res.Setup,
		fmt.Sprintf("load generator: bench/load in the harness process, GOMAXPROCS=%d (like wrk -t1); servers: separate processes, Go servers at GOMAXPROCS=%s, all sharing the same %d CPUs",
			opts.procs, serverProcs(opts.serverProcs, h.res.Machine.CPUs), h.res.Machine.CPUs),
		fmt.Sprintf("load runs: %v warm-up, then a %v window; %d round(s), the median round kept; one request in flight per keep-alive connection", opts.warmup, opts.duration, opts.rounds),
		"rpchost: `rpchost serve --listen 127.0.0.1:0 --plugins <dir>`, default configuration (pool.size 8, call_timeout 5s), log level info (nothing is logged per request), a warm compilation cache for the load parts",
		"python classic: bench/classic_server.py, SimpleXMLRPCServer + ThreadingMixIn + register_instance, HTTP/1.0 (closes after each response, so every request opens a connection), logRequests off, backlog 128; python keep-alive: the same answering HTTP/1.1",
		"ceiling: bench/ceiling, net/http answering every POST with the fixed methodResponse without reading the request",
	)
	for _, part := range parts {
		if !slices.Contains(opts.only, part) {
			continue
		}
		if err := h.runPart(ctx, part); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: interrupted", part)
			}
			h.note("part %s failed: %v", part, err)
			h.logf("part %s failed: %v", part, err)
		}
	}
	h.res.Finished = time.Now()
	h.res.Machine.LoadEnd = loadAverage()
	return h.write()
}

func (h *harness) runPart(ctx context.Context, part string) error {
	switch part {
	case "throughput":
		return h.runThroughput(ctx)
	case "size":
		return h.runSizes(ctx)
	case "ingest":
		return h.runIngest(ctx)
	case "startup":
		return h.runStartup(ctx)
	case "plugins":
		return h.runPlugins(ctx)
	case "reload":
		return h.runReload(ctx)
	case "replicas":
		return h.runReplicas(ctx)
	case "micro":
		return h.runMicro(ctx)
	}
	return fmt.Errorf("unknown part %q", part)
}

// write prints the results and writes the results file.
func (h *harness) write() error {
	var b bytes.Buffer
	if err := h.res.writeMarkdown(&b, h.opts.headline); err != nil {
		return err
	}
	fmt.Print("\n" + b.String())
	out := h.opts.out
	if out == "-" {
		return nil
	}
	if out == "" {
		// The start time keeps the runs of one day apart.
		name := h.res.Started.Format("2006-01-02-1504") + "-" + sanitize(h.res.Machine.Host)
		if len(h.opts.only) != len(parts) {
			name += "-" + strings.Join(h.opts.only, "-")
		}
		out = filepath.Join(h.ws.root, "bench", "results", name+".md")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "results written to", out)
	return nil
}

// serverProcs describes the Go servers' GOMAXPROCS.
func serverProcs(n, cpus int) string {
	if n == 0 {
		return fmt.Sprintf("%d (the default)", cpus)
	}
	return strconv.Itoa(n)
}

// startCPUProfile profiles the harness until the returned function is called.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// sanitize keeps a host name usable in a file name.
func sanitize(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
	if s == "" {
		return "unknown"
	}
	return s
}

// logf prints progress to stderr.
func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

// note records something the results file must say.
func (h *harness) note(format string, args ...any) {
	h.res.Notes = append(h.res.Notes, fmt.Sprintf(format, args...))
}

// stop stops a server and notes a failure to.
func (h *harness) stop(s *server) {
	if err := h.servers.stop(s); err != nil {
		h.note("%v", err)
	}
}
