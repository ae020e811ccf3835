package plugin

import (
	"bytes"
	"context"
	"io"
	"log/slog"
)

// maxOutputLine bounds one logged write of a guest's stdout or stderr, so a
// chatty or hostile guest cannot flood the server log.
const maxOutputLine = 4096

// output receives an instance's stdout and stderr: it logs them tagged with
// the plugin and the method being called, and counts them against the
// call's budget. Guest output never reaches the server's own stdout.
// An instance serves one call at a time, so no lock is needed.
type output struct {
	logger      *slog.Logger
	method      string
	budget      int
	written     int
	exceeded    bool
	outOfMemory bool // a Go guest said so before trapping
	attempt     int  // of the call, as for guest log lines (call.attempt)
}

// begin starts a call's accounting.
func (o *output) begin(method string, budget int) {
	o.method, o.budget, o.written, o.exceeded, o.outOfMemory = method, budget, 0, false, false
}

func (o *output) stream(name string) io.Writer { return &outputStream{o: o, name: name} }

type outputStream struct {
	o    *output
	name string
}

func (w *outputStream) Write(p []byte) (int, error) {
	o, n := w.o, len(p)
	o.written += n
	if o.written > o.budget {
		o.exceeded = true // dropped: the call fails once it returns
		return n, nil
	}
	if bytes.Contains(p, []byte("out of memory")) {
		o.outOfMemory = true
	}
	p = bytes.TrimRight(p, "\r\n")
	if len(p) == 0 {
		return n, nil
	}
	text := cutUTF8(string(p), maxOutputLine)
	attrs := []slog.Attr{slog.String("method", o.method), slog.String("stream", w.name),
		slog.String("text", text), slog.Bool("truncated", len(text) < len(p))}
	if o.attempt > 1 {
		attrs = append(attrs, slog.Int("attempt", o.attempt))
	}
	o.logger.LogAttrs(context.Background(), slog.LevelInfo, "guest output", attrs...)
	return n, nil
}
