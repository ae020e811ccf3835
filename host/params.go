package host

import (
	"fmt"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/registry"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// The XML-RPC front end transcodes array and struct params straight to
// MessagePack while parsing (xmlrpc.ParseRequestEncoded): a guest reads
// them as they are, and a batch of 500 readings costs one buffer instead
// of thousands of Go values encoded again at once. Only a guest's methods
// take them so; paramsFor decodes them for every other method.

// parseXMLRPC parses a methodCall, transcoding arrays and structs for a
// guest. limits.max_depth is at most abi.MaxDepth (Config.validate), so
// every param it accepts is one a guest accepts.
func (h *Host) parseXMLRPC(body []byte) (xmlrpc.Request, error) {
	return xmlrpc.ParseRequestEncoded(body, h.limits)
}

// paramsFor returns params as m takes them: as they are for a method that
// takes abi.Encoded params, with every abi.Encoded decoded into Go values
// for the others (numeric exports, system.* and plugins.* procedures). The
// caller's slice is left alone.
func paramsFor(m registry.Method, params []any) ([]any, error) {
	if _, ok := m.(registry.EncodedParams); ok {
		return params, nil
	}
	var out []any
	for i, p := range params {
		e, ok := p.(abi.Encoded)
		if !ok {
			continue
		}
		if out == nil {
			out = append([]any(nil), params...)
		}
		v, err := e.Decode()
		if err != nil {
			// The front end made it: a bug here, not the client's mistake.
			return nil, fmt.Errorf("param %d: the encoding the front end made does not decode: %w", i+1, err)
		}
		out[i] = v
	}
	if out == nil {
		return params, nil
	}
	return out, nil
}
