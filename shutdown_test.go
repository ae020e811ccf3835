package rpchost_test

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestInterruptLetsCallsInFlightFinish: a call running when the server is
// interrupted gets its answer, and the server then exits 0, having said
// how many requests it was waiting for.
func TestInterruptLetsCallsInFlightFinish(t *testing.T) {
	// hostile.spin runs until its time limit stops it: an answer (the
	// timeout fault) 11 s after it starts, past the old fixed grace of 10 s.
	s := startServer(t, hostileDir(t), "RPCHOST_LIMITS_CALL_TIMEOUT=11s")
	c := dial(t, s.URL)
	answered := make(chan error, 1)
	start := time.Now()
	go func() {
		var got any
		answered <- c.Call("hostile.spin", nil, &got)
	}()
	time.Sleep(500 * time.Millisecond) // the call is running
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-answered:
		// The answer is the fault of a call that ran to its time limit.
		if err == nil || !strings.Contains(err.Error(), "exceeded its time limit") {
			t.Fatalf("the call in flight when the server was interrupted got %v; want its answer, the timeout fault", err)
		}
		t.Logf("the call in flight when the server was interrupted was answered %v after it started: %s",
			time.Since(start).Round(time.Millisecond), err)
	case <-time.After(30 * time.Second):
		t.Fatal("the call in flight was not answered within 20 s of the interrupt")
	}
	exited := make(chan *os.ProcessState, 1)
	go func() { st, _ := s.cmd.Process.Wait(); exited <- st }()
	select {
	case st := <-exited:
		if st.ExitCode() != 0 {
			t.Fatalf("after the call in flight finished, the server exited %d; want 0", st.ExitCode())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not exit within 15 s of its last call finishing")
	}
	time.Sleep(100 * time.Millisecond) // the last lines of the log
	if !strings.Contains(s.Logs(), "in_flight=1") {
		t.Errorf("the log does not say one request was in flight at the interrupt:\n%s", s.Logs())
	}
}

// TestSecondInterruptExitsAtOnce: a second interrupt does not wait for the
// calls in flight: the server exits non-zero at once, saying which
// requests it cut.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	s := startServer(t, hostileDir(t), "RPCHOST_LIMITS_CALL_TIMEOUT=30s")
	c := dial(t, s.URL)
	go func() {
		var got any
		_ = c.Call("hostile.spin", nil, &got)
	}()
	time.Sleep(500 * time.Millisecond) // the call is running
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	exited := make(chan *os.ProcessState, 1)
	go func() { st, _ := s.cmd.Process.Wait(); exited <- st }()
	select {
	case st := <-exited:
		t.Logf("after a second interrupt the server exited %d in %v", st.ExitCode(), time.Since(start).Round(time.Millisecond))
		if st.ExitCode() == 0 {
			t.Error("the server exited 0 after cutting a call in flight")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not exit within 5 s of a second interrupt")
	}
	time.Sleep(100 * time.Millisecond) // the last lines of the log
	if logs := s.Logs(); !strings.Contains(logs, "stopped with 1 request(s) still running") {
		t.Errorf("the server did not say it cut one request:\n%s", logs)
	}
}
