package main

import (
	"bytes"
	"context"
	"log"
	"log/slog"
)

// serverErrorLog is net/http's error log (http.Server.ErrorLog) written
// through the server's own logger, so that its lines are structured like
// every other. A failed TLS handshake is what any scanner or a client
// without the CA causes, many times a second if it wants: it goes to debug,
// so that it cannot flood the log; everything else (a handler's panic, an
// accept error) is a warning.
func serverErrorLog(logger *slog.Logger) *log.Logger {
	return log.New(serverLogWriter{logger}, "", 0)
}

type serverLogWriter struct{ logger *slog.Logger }

func (w serverLogWriter) Write(p []byte) (int, error) {
	msg := string(bytes.TrimSpace(p))
	level := slog.LevelWarn
	if bytes.Contains(p, []byte("TLS handshake error")) {
		level = slog.LevelDebug
	}
	w.logger.Log(context.Background(), level, "http server", "error", msg)
	return len(p), nil
}
