// Command ceiling is the benchmarks' upper bound: a bare net/http server
// that answers every POST with the same methodResponse (add(3, 4) = 7)
// without reading the request. Whatever rpchost does beyond this, parsing,
// dispatch, the sandbox, costs throughput relative to it.
//
//	go run ./bench/ceiling --listen 127.0.0.1:0
//
// It logs "msg=listening addr=HOST:PORT" on stderr, as rpchost does, and
// stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// response is what rpchost answers to add(3, 4).
const response = `<?xml version="1.0"?><methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>`

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, *listen); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(answer), ReadHeaderTimeout: 10 * time.Second}
	slog.New(slog.NewTextHandler(os.Stderr, nil)).Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = srv.Shutdown(sctx)
		<-errc
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

var contentLength = strconv.Itoa(len(response))

// answer sends the fixed response with the headers rpchost sends.
func answer(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml; charset=utf-8")
	h.Set("Content-Length", contentLength)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(response))
}
