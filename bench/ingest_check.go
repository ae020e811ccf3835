package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// ingestOutcome is a records.ingest result: {stored, rejected: [{index,
// reason}]}.
type ingestOutcome struct {
	Stored   int64
	Rejected []rejection
}

type rejection struct {
	Index  int64
	Reason string
}

// parseIngestOutcome reads a records.ingest methodResponse.
func parseIngestOutcome(body []byte) (ingestOutcome, error) {
	v, err := xmlrpc.ParseResponse(body, xmlrpc.DefaultLimits())
	if err != nil {
		return ingestOutcome{}, err
	}
	s, ok := v.(abi.Struct)
	if !ok {
		return ingestOutcome{}, fmt.Errorf("the result is a %s, want a struct", abi.TypeName(v))
	}
	var out ingestOutcome
	stored, _ := s.Get("stored")
	rejected, _ := s.Get("rejected")
	n, ok1 := stored.(int64)
	list, ok2 := rejected.([]any)
	if !ok1 || !ok2 || len(s) != 2 {
		return ingestOutcome{}, fmt.Errorf("the result is not {stored: int, rejected: array}: %v", s)
	}
	out.Stored = n
	for _, e := range list {
		r, _ := e.(abi.Struct)
		index, _ := r.Get("index")
		reason, _ := r.Get("reason")
		i, ok1 := index.(int64)
		text, ok2 := reason.(string)
		if !ok1 || !ok2 || len(r) != 2 {
			return ingestOutcome{}, fmt.Errorf("a rejection is not {index: int, reason: string}: %v", e)
		}
		out.Rejected = append(out.Rejected, rejection{i, text})
	}
	return out, nil
}

// diff describes how b differs from a, or returns "" when they are equal.
func (a ingestOutcome) diff(b ingestOutcome) string {
	var d []string
	if a.Stored != b.Stored {
		d = append(d, fmt.Sprintf("stored %d vs %d", a.Stored, b.Stored))
	}
	byIndex := func(rs []rejection) map[int64]string {
		m := map[int64]string{}
		for _, r := range rs {
			m[r.Index] = r.Reason
		}
		return m
	}
	ra, rb := byIndex(a.Rejected), byIndex(b.Rejected)
	for i, reason := range ra {
		if other, ok := rb[i]; !ok {
			d = append(d, fmt.Sprintf("reading %d: rejected (%s) vs accepted", i, reason))
		} else if other != reason {
			d = append(d, fmt.Sprintf("reading %d: %q vs %q", i, reason, other))
		}
	}
	for i, reason := range rb {
		if _, ok := ra[i]; !ok {
			d = append(d, fmt.Sprintf("reading %d: accepted vs rejected (%s)", i, reason))
		}
	}
	if len(d) == 0 && len(a.Rejected) != len(b.Rejected) {
		d = append(d, "the same index rejected twice")
	}
	slices.Sort(d)
	return strings.Join(d, "; ")
}

// checkIngestResponse is the load generator's check of one measured batch:
// every reading stored, none rejected.
func checkIngestResponse(body []byte) error {
	o, err := parseIngestOutcome(body)
	if err != nil {
		return err
	}
	if o.Stored != ingestReadings || len(o.Rejected) > 0 {
		return fmt.Errorf("stored %d of %d readings, rejected %v", o.Stored, ingestReadings, o.Rejected)
	}
	return nil
}

// post sends one methodCall and returns the response body.
func post(ctx context.Context, addr string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/RPC2", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("HTTP status %s", resp.Status)
	}
	return b, err
}

// storedCount calls records.stats and returns its count.
func storedCount(ctx context.Context, addr string) (int64, error) {
	body, err := post(ctx, addr, []byte("<?xml version='1.0'?>\n<methodCall>\n<methodName>records.stats</methodName>\n<params>\n</params>\n</methodCall>\n"))
	if err != nil {
		return 0, fmt.Errorf("records.stats: %w", err)
	}
	v, err := xmlrpc.ParseResponse(body, xmlrpc.DefaultLimits())
	if err != nil {
		return 0, fmt.Errorf("records.stats: %w", err)
	}
	s, _ := v.(abi.Struct)
	count, _ := s.Get("count")
	n, ok := count.(int64)
	if !ok {
		return 0, errors.New("records.stats: no int count in the result")
	}
	return n, nil
}
