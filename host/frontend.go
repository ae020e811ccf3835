package host

import "context"

// The front ends a call can come through, as logs and metrics name them.
const (
	FrontEndXMLRPC    = "xmlrpc"
	FrontEndJSONRPC   = "jsonrpc"
	FrontEndPage      = "page"
	FrontEndInProcess = "in-process" // a Go program calling Host.Call
)

type frontEndKey struct{}

// withFrontEnd records which front end a call came through.
func withFrontEnd(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, frontEndKey{}, name)
}

// frontEndOf is the front end recorded in ctx, FrontEndInProcess if none.
func frontEndOf(ctx context.Context) string {
	if name, ok := ctx.Value(frontEndKey{}).(string); ok {
		return name
	}
	return FrontEndInProcess
}
