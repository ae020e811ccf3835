package host

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rpchost/rpchost/internal/store"
)

// hostCollector reads, at each scrape, what the Host knows without
// counting it: each plugin's instances and waiting calls, and what it
// keeps in the store. Nothing is kept between scrapes.
type hostCollector struct{ h *Host }

var (
	descInstances = prometheus.NewDesc("rpchost_instances",
		`Instances of each plugin: state="busy" (running a call, or being created for one) or "idle".`,
		[]string{"plugin", "state"}, nil)
	descWaiting = prometheus.NewDesc("rpchost_calls_waiting",
		"Calls waiting for an instance of the plugin (at most limits.max_queue).",
		[]string{"plugin"}, nil)
	descEvicted = prometheus.NewDesc("rpchost_instances_evicted_total",
		`Idle instances destroyed, of every plugin: reason="idle_budget" (the idle instances of all plugins held more than pool.max_idle_bytes) or "idle_timeout" (no call for pool.idle_timeout).`,
		[]string{"reason"}, nil)
	descIdleBytes = prometheus.NewDesc("rpchost_idle_instance_bytes",
		"What the idle instances of every plugin hold as pool.max_idle_bytes counts it (linear memory plus 1 MiB each); 0 when that is 0 (no bound, nothing counted).",
		nil, nil)
	descPlugins = prometheus.NewDesc("rpchost_plugins",
		"Plugins being served.", nil, nil)
	descStoreBytes = prometheus.NewDesc("rpchost_store_bytes",
		"What each plugin keeps in the store, as its quota (store.max_plugin_bytes) counts it: keys and values.",
		[]string{"plugin"}, nil)
	descStoreKeys = prometheus.NewDesc("rpchost_store_keys",
		"Keys each plugin keeps in the store.",
		[]string{"plugin"}, nil)
)

// storeUsageTimeout bounds what a scrape waits for the store (postgres
// answers one query per plugin); a plugin whose usage is not read in time
// has no rpchost_store_bytes sample in that scrape.
const storeUsageTimeout = 2 * time.Second

func (c *hostCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descInstances, descWaiting, descEvicted, descIdleBytes, descPlugins, descStoreBytes, descStoreKeys} {
		ch <- d
	}
}

func (c *hostCollector) Collect(ch chan<- prometheus.Metric) {
	h := c.h
	h.mu.Lock()
	loaded := make([]*loaded, 0, len(h.plugins))
	for _, l := range h.plugins {
		loaded = append(loaded, l)
	}
	h.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(descPlugins, prometheus.GaugeValue, float64(len(loaded)))
	// Runtime-wide totals, so that they survive reloads, which replace pools.
	idle := h.runtime.IdleStats()
	ch <- prometheus.MustNewConstMetric(descEvicted, prometheus.CounterValue, float64(idle.Evicted), "idle_budget")
	ch <- prometheus.MustNewConstMetric(descEvicted, prometheus.CounterValue, float64(idle.Expired), "idle_timeout")
	ch <- prometheus.MustNewConstMetric(descIdleBytes, prometheus.GaugeValue, float64(idle.Bytes))
	for _, l := range loaded {
		name := l.plugin.Name()
		s := l.plugin.PoolStats()
		ch <- prometheus.MustNewConstMetric(descInstances, prometheus.GaugeValue, float64(s.Busy), name, "busy")
		ch <- prometheus.MustNewConstMetric(descInstances, prometheus.GaugeValue, float64(s.Idle), name, "idle")
		ch <- prometheus.MustNewConstMetric(descWaiting, prometheus.GaugeValue, float64(s.Waiting), name)
	}
	if h.store == nil || h.closed.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeUsageTimeout)
	defer cancel()
	for _, l := range loaded {
		name := l.plugin.Name()
		u, err := h.store.Usage(ctx, name)
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				h.logger.Warn("metrics: reading a plugin's store usage failed", "plugin", name, "error", err.Error())
			}
			continue
		}
		ch <- prometheus.MustNewConstMetric(descStoreBytes, prometheus.GaugeValue, float64(u.Bytes), name)
		ch <- prometheus.MustNewConstMetric(descStoreKeys, prometheus.GaugeValue, float64(u.Keys), name)
	}
}

// countingStore is the store as plugins see it, counting each call's
// commit where it happens: every call's writes reach the store through
// ApplyIf (Txn.Commit), once per attempt.
type countingStore struct {
	store.Store
	m *hostMetrics
}

// Unwrap lets a call's Txn read through the store itself: the wrapper's
// method set would hide the backend's fast reads (store.Unwrapper).
func (s countingStore) Unwrap() store.Store { return s.Store }

func (s countingStore) ApplyIf(ctx context.Context, ns string, reads []store.Read, batch []store.Write) error {
	err := s.Store.ApplyIf(ctx, ns, reads, batch)
	s.count(ns, err)
	return err
}

func (s countingStore) Apply(ctx context.Context, ns string, batch []store.Write) error {
	err := s.Store.Apply(ctx, ns, batch)
	s.count(ns, err)
	return err
}

func (s countingStore) count(ns string, err error) {
	switch {
	case err == nil:
		s.m.commits.WithLabelValues(ns).Inc()
	case errors.Is(err, store.ErrConflict):
		s.m.conflicts.WithLabelValues(ns).Inc()
	}
}
