// Package load is the benchmarks' load generator: N keep-alive connections,
// each sending one pre-encoded XML-RPC request as fast as the server
// answers, for a fixed time after a warm-up, checking every response and
// recording every latency.
package load

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Config describes one measurement.
type Config struct {
	Addr        string // the server, host:port
	Path        string // "" means /RPC2, where Python's client posts
	Body        []byte // the methodCall, sent as is
	Want        int64  // the integer every response must carry
	Connections int    // concurrent connections, one request in flight on each
	Warmup      time.Duration
	Duration    time.Duration // the measured window, after the warm-up
	Timeout     time.Duration // one request; 0 means 30 s

	// Prepare, when set, is called before every request with the
	// connection's own copy of Body, which it may rewrite in place (same
	// length: Content-Length is fixed), so that requests can differ (the
	// ingest part gives every batch new ids). It is called from every
	// connection's goroutine at once, and only for requests that are sent.
	Prepare func(body []byte)
	// Check, when set, verifies a response body instead of Want.
	Check func(body []byte) error

	// OnWindow, when set, is called as the measured window opens (true)
	// and closes (false), for instance to sample the server's CPU time.
	OnWindow func(open bool)
}

// Result is what one measurement saw.
type Result struct {
	Connections int
	Window      time.Duration
	// Requests counts the verified responses that completed inside the
	// window; Latency holds their latencies, send to last byte, dialling
	// included when the server had closed the connection.
	Requests uint64
	Latency  *Histogram
	// Dials counts the connections opened inside the window: 0 for a
	// keep-alive server, one per request for Python's HTTP/1.0 server.
	Dials uint64
	// Errors counts failed requests over the whole run, warm-up included,
	// by kind: "dial", "io", "status", "answer".
	Errors     map[string]uint64
	FirstError string
}

// RequestsPerSecond is the throughput inside the window.
func (r *Result) RequestsPerSecond() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Window.Seconds()
}

// ErrorCount is the total of Errors.
func (r *Result) ErrorCount() uint64 {
	var n uint64
	for _, c := range r.Errors {
		n += c
	}
	return n
}

// Run generates load as cfg says and returns what it measured. It returns
// early, with an error, when ctx ends; it stops every goroutine and closes
// every connection it opened before returning.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Connections < 1 || cfg.Duration <= 0 || cfg.Warmup < 0 {
		return nil, fmt.Errorf("load: need at least 1 connection and a positive duration, got %d and %v", cfg.Connections, cfg.Duration)
	}
	if cfg.Path == "" {
		cfg.Path = "/RPC2"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	request := BuildRequest(cfg.Addr, cfg.Path, cfg.Body)
	start := time.Now()
	w := window{open: start.Add(cfg.Warmup)}
	w.close = w.open.Add(cfg.Duration)

	workers := make([]*worker, cfg.Connections)
	var wg sync.WaitGroup
	for i := range workers {
		req := request
		if cfg.Prepare != nil {
			req = append([]byte(nil), request...) // each connection rewrites its own
		}
		wk := &worker{
			client:  client{addr: cfg.Addr, request: req, timeout: cfg.Timeout},
			want:    cfg.Want,
			prepare: cfg.Prepare,
			check:   cfg.Check,
			hist:    NewHistogram(),
			errs:    map[string]uint64{},
		}
		workers[i] = wk
		wg.Go(func() { wk.run(ctx, w) })
	}
	if cfg.OnWindow != nil {
		if sleepUntil(ctx, w.open) {
			cfg.OnWindow(true)
			if sleepUntil(ctx, w.close) {
				cfg.OnWindow(false)
			}
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}

	res := &Result{Connections: cfg.Connections, Window: cfg.Duration, Latency: NewHistogram(), Errors: map[string]uint64{}}
	for _, wk := range workers {
		res.Requests += wk.requests
		res.Dials += wk.dials
		res.Latency.Merge(wk.hist)
		for k, n := range wk.errs {
			res.Errors[k] += n
		}
		if res.FirstError == "" && wk.firstErr != nil {
			res.FirstError = wk.firstErr.Error()
		}
	}
	return res, nil
}

// window is the measured interval [open, close].
type window struct{ open, close time.Time }

// worker drives one connection; only its own goroutine touches it until
// Run collects it.
type worker struct {
	client   client
	want     int64
	prepare  func(body []byte)
	check    func(body []byte) error
	hist     *Histogram
	requests uint64
	dials    uint64
	errs     map[string]uint64
	firstErr error
}

// run sends requests until the window closes: a request still in flight
// then completes (so the server is idle when Run returns) but is not
// counted.
func (wk *worker) run(ctx context.Context, w window) {
	defer wk.client.close()
	for ctx.Err() == nil {
		sent := time.Now()
		if !sent.Before(w.close) {
			return
		}
		if wk.prepare != nil {
			wk.prepare(wk.client.body0())
		}
		body, dialled, err := wk.client.roundTrip(ctx)
		switch {
		case err != nil:
		case wk.check != nil:
			err = wk.check(body)
		default:
			err = CheckInt(body, wk.want)
		}
		done := time.Now()
		if ctx.Err() != nil {
			return // errors caused by cancelling are not the server's
		}
		if err != nil {
			kind := errorKind(err)
			wk.errs[kind]++
			if wk.firstErr == nil {
				wk.firstErr = err
			}
			if kind == "dial" {
				sleepUntil(ctx, time.Now().Add(10*time.Millisecond)) // do not spin on a refusing server
			}
			continue
		}
		if done.Before(w.open) || done.After(w.close) {
			continue
		}
		wk.requests++
		wk.hist.Record(done.Sub(sent))
		if dialled {
			wk.dials++
		}
	}
}

func errorKind(err error) string {
	switch {
	case errors.Is(err, ErrWrongAnswer):
		return "answer"
	case errors.Is(err, ErrStatus):
		return "status"
	case errors.Is(err, errDial):
		return "dial"
	}
	return "io"
}

// sleepUntil waits until t or until ctx ends; it reports whether t came.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
