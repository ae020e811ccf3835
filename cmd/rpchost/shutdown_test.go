package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/host"
)

// TestShutdownSaysWhatTheGraceCut: a request still running when the grace
// runs out is named in the error, which says its client got no answer.
func TestShutdownSaysWhatTheGraceCut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reqs := newRequestTracker()
	release := make(chan struct{})
	started := make(chan struct{})
	srv := &http.Server{Handler: reqs.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	}))}
	defer close(release)
	go func() { _ = srv.Serve(ln) }()
	go func() {
		if resp, err := http.Post("http://"+ln.Addr().String()+"/RPC2", "text/xml", strings.NewReader("x")); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	err = shutdown(srv, reqs, 200*time.Millisecond, make(chan os.Signal), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "grace of 200ms ran out") ||
		!strings.Contains(err.Error(), "1 request(s) still running, whose clients got no answer (/RPC2 from 127.0.0.1:") {
		t.Fatalf("shutdown with a request running past the grace: %v", err)
	}
	t.Logf("%v", err)
}

func TestShutdownGraceCoversTheLongestCallTimeout(t *testing.T) {
	cfg := host.NewConfig().WithCallTimeout(30 * time.Second)
	if g := shutdownGrace(cfg, nil); g != 31*time.Second {
		t.Errorf("grace with call_timeout 30s = %v, want 31s", g)
	}
	if g := shutdownGrace(host.NewConfig().WithCallTimeout(2*time.Second), nil); g != minShutdownGrace {
		t.Errorf("grace with call_timeout 2s = %v, want %v", g, minShutdownGrace)
	}
}
