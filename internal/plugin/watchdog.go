package plugin

import (
	"sync"
	"time"
)

// watchdogTick is how often deadlines are checked: a call that overruns is
// stopped at most this much after its time limit.
const watchdogTick = 5 * time.Millisecond

// watchdog stops calls that overrun their deadline. One goroutine per
// runtime checks every instance each tick, so a call pays two atomic
// operations for its time limit rather than a timer. Checking under mu,
// which close takes to unwatch, means an instance is never stopped while
// it is being closed.
type watchdog struct {
	mu        sync.Mutex
	instances map[*instance]struct{}
	stop      chan struct{}
	done      chan struct{}
}

func newWatchdog() *watchdog {
	w := &watchdog{instances: map[*instance]struct{}{}, stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *watchdog) run() {
	defer close(w.done)
	t := time.NewTicker(watchdogTick)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case now := <-t.C:
			w.check(now.UnixNano())
		}
	}
}

func (w *watchdog) check(now int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for in := range w.instances {
		in.stopIfOverdue(now)
	}
}

func (w *watchdog) add(in *instance) {
	w.mu.Lock()
	w.instances[in] = struct{}{}
	w.mu.Unlock()
}

func (w *watchdog) remove(in *instance) {
	w.mu.Lock()
	delete(w.instances, in)
	w.mu.Unlock()
}

// close stops the goroutine and waits for it.
func (w *watchdog) close() {
	close(w.stop)
	<-w.done
}

// stopClock ends the clock on a call that returned: it returns the
// deadline the call had (0: none) and whether the watchdog had stopped it
// first. Swapping the deadline out decides the race: once it is 0 the
// watchdog leaves the instance alone, so a call that is not stopped here
// keeps its result.
func (in *instance) stopClock() (deadline int64, stopped bool) {
	d := in.deadline.Swap(0)
	return max(d, 0), d == deadlineStopped || in.ctx.Err() != nil
}
