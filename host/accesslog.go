package host

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/rpchost/rpchost/internal/registry"
)

// logAccess writes the access log's one line for a call (log.access):
// who called, through which front end, what, the outcome and how long it
// took. It is called from observe, the one place every call passes.
func (h *Host) logAccess(ctx context.Context, method string, e *registry.Entry, err error, code int, took time.Duration) {
	outcome := outcomeResult
	if err != nil {
		outcome = "fault"
	}
	if len(method) > maxLoggedMethod {
		method = method[:maxLoggedMethod] + "…"
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("remote", remoteOf(ctx)))
	if name := callerNameOf(ctx); name != "" {
		attrs = append(attrs, slog.String("caller", name))
	}
	attrs = append(attrs, slog.String("front_end", frontEndOf(ctx)), slog.String("method", method))
	if e != nil && e.Target != method {
		attrs = append(attrs, slog.String("target", e.Target))
	}
	attrs = append(attrs, slog.String("outcome", outcome))
	if err != nil {
		attrs = append(attrs, slog.Int("code", code))
	}
	attrs = append(attrs, slog.Duration("duration", took))
	h.logger.LogAttrs(ctx, slog.LevelInfo, "call", attrs...)
}

// maxLoggedMethod bounds the method name in an access log line: a name
// is bounded only by the request body, and one line need not hold it.
const maxLoggedMethod = 200

// remoteOf is the network address a call came from, "in-process" for a Go
// program calling Host.Call.
func remoteOf(ctx context.Context) string {
	if r, _ := ctx.Value(requestKey{}).(*http.Request); r != nil {
		return r.RemoteAddr
	}
	return FrontEndInProcess
}

// callerNameOf is the name the call's caller authenticated as (auth.*),
// "anonymous" for one without credentials, "" when no check ran (no
// callers configured, or a Go program's own call).
func callerNameOf(ctx context.Context) string {
	if id, ok := ctx.Value(identityKey{}).(*identity); ok && !id.trusted {
		return id.name()
	}
	return ""
}
