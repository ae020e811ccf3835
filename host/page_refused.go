package host

import (
	"context"
	"time"
)

// pageRefused is a file of the plugin directory that is not served, as the
// page lists it under the plugins: a module refused for its signature, its
// digest or its contents says why where a person looks first.
type pageRefused struct {
	File, Reason, At string
}

// pageRefusedFiles lists the refused files for the caller of ctx, if it
// may see them as GET /plugins shows them (plugins.list), at most
// pageMaxPlugins, each reason cut as the -32601 hint cuts it.
func (h *Host) pageRefusedFiles(ctx context.Context) []pageRefused {
	if !h.mayCall(ctx, "plugins.list") {
		return nil
	}
	refused := h.Refused()
	out := make([]pageRefused, 0, min(len(refused), pageMaxPlugins))
	for _, r := range refused[:min(len(refused), pageMaxPlugins)] {
		out = append(out, pageRefused{File: r.File, Reason: clip(r.Reason, maxReasonInFault), At: r.At.UTC().Format(time.DateTime + " UTC")})
	}
	return out
}
