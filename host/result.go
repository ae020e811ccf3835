package host

import (
	"context"

	"github.com/rpchost/rpchost/internal/registry"
)

// A guest's array or struct result can reach the XML-RPC encoder as the
// MessagePack bytes the guest wrote, checked (abi.DecodeResultEncoded),
// rather than as a Go value per element built only to be written out at
// once: for a batch of 500 readings, one copy instead of thousands of
// allocations. Only the XML-RPC front end's own calls take results so,
// since internal/xmlrpc writes an abi.Encoded as it writes the value it
// holds. Every other caller gets Go values, from the same check as ever:
// Host.Call's embedders, JSON-RPC, the page, and system.multicall, which
// measures each result as values (xmlSize) to bound its response.

// valueResultsKey marks a context whose calls must return Go values even
// though they came through the XML-RPC front end (system.multicall's).
type valueResultsKey struct{}

func withValueResults(ctx context.Context) context.Context {
	return context.WithValue(ctx, valueResultsKey{}, true)
}

// takesEncodedResults reports whether the caller of a call made with ctx
// writes its result with internal/xmlrpc, which writes an abi.Encoded.
func takesEncodedResults(ctx context.Context) bool {
	return frontEndOf(ctx) == FrontEndXMLRPC && ctx.Value(valueResultsKey{}) == nil
}

// callMethod runs m, asking it for an encoded result when the caller
// takes one (see takesEncodedResults).
func callMethod(ctx context.Context, m registry.Method, params []any) (any, error) {
	if em, ok := m.(registry.EncodedResults); ok && takesEncodedResults(ctx) {
		return em.CallEncoded(ctx, params)
	}
	return m.Call(ctx, params)
}
