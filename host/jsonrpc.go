package host

import (
	"context"
	"fmt"
	"net/http"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/jsonrpc"
)

// jsonContentType is what JSON-RPC responses are sent as. Requests may
// come as any type: web2py's client sends text/xml.
const jsonContentType = "application/json"

// jsonBatchName is what messages call a JSON-RPC batch.
const jsonBatchName = "the JSON-RPC batch"

// serveJSONRPC is the JSON-RPC front end: it decodes a request or batch,
// runs each call through Call, and encodes the responses. Its body is
// read as XML-RPC's is (receive), and a batch has system.multicall's
// bounds (runBatch). An answer is HTTP 200, as XML-RPC faults are, but
// for a single call refused for its caller (callStatus: 401, 429); a body
// that holds only notifications is answered 204 No Content.
func (h *Host) serveJSONRPC(w http.ResponseWriter, r *http.Request) {
	body := requestBody{buf: bodyBuffers.Get().(*[]byte), raw: r.Body}
	defer h.releaseBody(&body)
	if !h.receive(w, r, "JSON-RPC", &body, h.writeJSONFault) {
		return
	}
	msg, err := jsonrpc.Parse(body.data, jsonrpc.Limits{MaxDepth: h.cfg.maxDepth, MaxItems: h.cfg.maxItems, MaxBatch: h.cfg.maxMulticall})
	if err != nil {
		h.writeJSONFault(w, r, err)
		return
	}
	ctx := withFrontEnd(withToken(r.Context(), r), FrontEndJSONRPC)
	out := getBytes()
	defer putBytes(out)
	b := (*out)[:0]
	status := http.StatusOK
	if msg.Batch {
		b, err = h.jsonBatch(ctx, b, msg.Requests)
	} else {
		req := &msg.Requests[0]
		v, callErr := h.jsonCall(ctx, req)
		if callErr != nil && r.Context().Err() != nil {
			err = callErr
		} else if req.Answered() {
			b = h.appendJSONAnswer(b, req, v, callErr)
			status = callStatus(callErr, w.Header()) // 401/429 for refused callers, as XML-RPC
		}
	}
	*out = b
	if err != nil && r.Context().Err() != nil {
		// The client went away (a batch stops then): no one to answer.
		h.logger.Info("client went away before the answer", "front_end", FrontEndJSONRPC, "remote", r.RemoteAddr, "error", err.Error())
		return
	}
	if len(b) == 0 {
		// Only notifications: the spec has the server return nothing, and
		// 204 says so to HTTP clients, which then read no body.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.writeAs(w, r, jsonContentType, b, status)
}

// jsonCall runs one request, or returns why it cannot run.
func (h *Host) jsonCall(ctx context.Context, req *jsonrpc.Request) (any, error) {
	if req.Err != nil {
		return nil, req.Err
	}
	return h.Call(ctx, req.Method, req.Params)
}

// jsonBatch runs a batch's requests in order under runBatch's bounds,
// appending the responses of those that get one to b as a JSON array;
// b stays empty when none does.
func (h *Host) jsonBatch(ctx context.Context, b []byte, reqs []jsonrpc.Request) ([]byte, error) {
	start := len(b)
	b = append(b, '[')
	err := h.runBatch(ctx, jsonBatchName, len(reqs),
		func(ctx context.Context, i int) (any, error) { return h.jsonCall(ctx, &reqs[i]) },
		func(i int, v any, err error, left int) (int, bool) {
			req := &reqs[i]
			if !req.Answered() {
				return 0, true // a notification's result is dropped, so it costs nothing
			}
			mark := len(b)
			if mark > start+1 {
				b = append(b, ',')
			}
			b = h.appendJSONAnswer(b, req, v, err)
			n := len(b) - mark
			if left >= 0 && n > left {
				b = b[:mark]
				return 0, false
			}
			return n, true
		})
	if err != nil {
		return b[:start], err
	}
	if len(b) == start+1 {
		return b[:start], nil
	}
	return append(b, ']'), nil
}

// appendJSONAnswer appends req's response: its result v, or err as an
// error object.
func (h *Host) appendJSONAnswer(b []byte, req *jsonrpc.Request, v any, err error) []byte {
	if err == nil {
		out, encErr := jsonrpc.AppendResult(b, req, v)
		if encErr == nil {
			return out
		}
		err = fmt.Errorf("the result of %s cannot be sent as JSON-RPC: %w", req.Method, encErr)
	}
	return jsonrpc.AppendError(b, req, h.jsonError(err))
}

// writeJSONFault answers a whole request with one error, id null: its
// body could not be read or parsed, so no request in it can be told apart.
func (h *Host) writeJSONFault(w http.ResponseWriter, r *http.Request, err error) {
	out := getBytes()
	defer putBytes(out)
	*out = jsonrpc.AppendError((*out)[:0], nil, h.jsonError(err))
	h.writeAs(w, r, jsonContentType, *out, http.StatusOK)
}

// jsonError is err as a JSON-RPC error object: the code and message
// toFault gives (the XML-RPC front end's faultCode and faultString), and
// for rpchost's own codes a data member naming the fault, which a client
// can test without knowing the numbers.
func (h *Host) jsonError(err error) jsonrpc.Error {
	f := toFault(err)
	if f.Code == abi.CodeInternalError {
		h.logger.Error("internal error", "front_end", FrontEndJSONRPC, "error", err.Error())
	}
	e := jsonrpc.Error{Code: f.Code, Message: f.Message}
	if name, ok := faultNames[f.Code]; ok {
		e.Data = abi.Struct{{Name: "fault", Value: name}}
	}
	return e
}

// faultNames name rpchost's own fault codes in a JSON-RPC error's data.
var faultNames = map[int]string{
	CodeTrap:            "trap",
	CodeTimeout:         "timeout",
	CodeBusy:            "busy",
	CodeUnavailable:     "unavailable",
	CodeForbidden:       "forbidden",
	CodeMemoryLimit:     "memory_limit",
	CodeOutputLimit:     "output_limit",
	CodeResultTooLarge:  "result_too_large",
	CodeStorage:         "storage",
	CodeUnauthenticated: "unauthenticated",
	CodeNotPermitted:    "not_permitted",
	CodeRateLimited:     "rate_limited",
	CodeUntrustedModule: "untrusted_module",
}
