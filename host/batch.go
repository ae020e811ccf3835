package host

import (
	"context"
	"fmt"

	"github.com/rpchost/rpchost/abi"
)

// runBatch runs n calls one after another, each through the same dispatch
// as a call of its own (run), under the bounds system.multicall and a
// JSON-RPC batch share, so that the two cannot drift apart:
//   - their results together are bounded by limits.max_result_bytes, as
//     the front end measures its response (keep reports each outcome's
//     size): the call whose result would pass the bound gets -32007
//     instead, and the calls after it are not run (-32007 too);
//   - their calls together get limits.call_timeout: once it has passed, the
//     calls left are not run (-32001); the one running then ends within its
//     own limit;
//   - the batch stops when the client goes away (ctx is cancelled): the
//     calls left are not run, and runBatch returns an error.
//
// keep records call i's outcome (v or err) and returns its size; left is
// the room the budget has, or -1 for an outcome that is kept whatever its
// size (a not-run fault: bounded in size, and in number by
// limits.max_multicall). When the outcome is larger than left, keep must
// drop it and return ok false.
func (h *Host) runBatch(ctx context.Context, what string, n int,
	run func(ctx context.Context, i int) (any, error),
	keep func(i int, v any, err error, left int) (size int, ok bool),
) error {
	client := ctx
	if d := h.cfg.limits.CallTimeout; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, fmt.Errorf("%s's calls used up limits.call_timeout (%v) together", what, d))
		defer cancel()
	}
	budget := h.cfg.limits.MaxResultBytes
	left := budget
	var notRun *abi.Fault // why the calls left are not run, once one is not
	for i := range n {
		if client.Err() != nil {
			// Over HTTP this is the client going away; the rest are not run.
			return fmt.Errorf("%s stopped after %d of %d calls, the rest not run: the request ended: %w", what, i, n, context.Cause(client))
		}
		if notRun == nil && ctx.Err() != nil {
			notRun = abi.Faultf(CodeTimeout, "not run: %s's calls used up limits.call_timeout (%v) together, before this one", what, h.cfg.limits.CallTimeout)
		}
		if notRun != nil {
			keep(i, nil, notRun, -1)
			continue
		}
		v, err := run(ctx, i)
		size, ok := keep(i, v, err, left)
		if !ok {
			// The result is dropped at once, so it is not held while the
			// rest of the response is built.
			keep(i, nil, abi.Faultf(CodeResultTooLarge, "%s call %d: its result would bring the response past %d bytes: "+
				"limits.max_result_bytes bounds the results of a whole multicall or batch together", what, i, budget), -1)
			notRun = abi.Faultf(CodeResultTooLarge, "not run: %s's results reached limits.max_result_bytes (%d) together, before this call", what, budget)
			continue
		}
		left -= size
	}
	return nil
}
