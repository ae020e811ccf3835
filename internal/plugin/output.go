package plugin

import (
	"context"
	"io"
	"log/slog"
)

// maxOutputLine bounds one logged write of a guest's stdout or stderr, so a
// chatty or hostile guest cannot flood the server log.
const maxOutputLine = 4096

// outputWriter turns what a guest prints into log records tagged with the
// plugin, so guest output never reaches the server's own stdout.
type outputWriter struct {
	logger *slog.Logger
	stream string
}

var _ io.Writer = outputWriter{}

func (w outputWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	if len(p) == 0 {
		return n, nil
	}
	truncated := len(p) > maxOutputLine
	if truncated {
		p = p[:maxOutputLine]
	}
	w.logger.LogAttrs(context.Background(), slog.LevelInfo, "guest output",
		slog.String("stream", w.stream), slog.String("text", string(p)), slog.Bool("truncated", truncated))
	return n, nil
}
