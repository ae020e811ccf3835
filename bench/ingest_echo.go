package main

import (
	"bytes"
	"fmt"
	"reflect"
	"sync"

	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// The ingest part also sends types.echo of the same 500 readings: the
// cost of carrying a B-sized batch into a Go guest and back, with no
// validation and no store (issue 17: ≤ 2 µs per reading).

// echoBody is types.echo with the ingest part's first batch as its param.
func echoBody() []byte {
	return bytes.Replace(newIngestBatch(0).body,
		[]byte("<methodName>records.ingest</methodName>"), []byte("<methodName>types.echo</methodName>"), 1)
}

// echoChecker verifies types.echo responses. The first response is
// parsed and must hold the request's param, value for value, members in
// order; every later one must be byte for byte that verified response
// (the request never changes), which costs the load generator a
// comparison rather than a parse of 245 KB per response.
type echoChecker struct {
	want     any // the request's param
	mu       sync.Mutex
	verified []byte
}

func newEchoChecker(body []byte) (*echoChecker, error) {
	req, err := xmlrpc.ParseRequest(body, xmlrpc.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("types.echo request: %w", err)
	}
	if len(req.Params) != 1 {
		return nil, fmt.Errorf("types.echo request has %d params, want 1", len(req.Params))
	}
	return &echoChecker{want: req.Params[0]}, nil
}

// check is a load.Config.Check.
func (c *echoChecker) check(resp []byte) error {
	c.mu.Lock()
	verified := c.verified
	c.mu.Unlock()
	if verified != nil {
		if !bytes.Equal(resp, verified) {
			return fmt.Errorf("the response differs from the verified echo (%d bytes against %d): %.200s", len(resp), len(verified), resp)
		}
		return nil
	}
	got, err := xmlrpc.ParseResponse(resp, xmlrpc.DefaultLimits())
	if err != nil {
		return fmt.Errorf("types.echo: %w", err)
	}
	if !reflect.DeepEqual(got, c.want) {
		return fmt.Errorf("types.echo did not return its param: %.300v", got)
	}
	c.mu.Lock()
	if c.verified == nil {
		c.verified = bytes.Clone(resp)
	}
	c.mu.Unlock()
	return nil
}
