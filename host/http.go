package host

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// serveXMLRPC is the XML-RPC front end: it decodes a methodCall, runs it
// through Call, and encodes the methodResponse or fault.
func (h *Host) serveXMLRPC(w http.ResponseWriter, r *http.Request) {
	body := requestBody{buf: bodyBuffers.Get().(*[]byte), raw: r.Body}
	defer h.releaseBody(&body)
	if !h.receive(w, r, "XML-RPC", &body, h.writeFault) {
		return
	}
	req, err := h.parseXMLRPC(body.data)
	if err != nil {
		h.writeFault(w, r, err)
		return
	}
	v, err := h.Call(withFrontEnd(withToken(r.Context(), r), FrontEndXMLRPC), req.Method, req.Params)
	if err != nil && r.Context().Err() != nil {
		// The client went away (a multicall stops then): no one to answer.
		h.logger.Info("client went away before the answer", "method", req.Method, "remote", r.RemoteAddr, "error", err.Error())
		return
	}
	if err != nil {
		h.writeFault(w, r, err)
		return
	}
	out := getBytes()
	defer putBytes(out)
	b, err := xmlrpc.AppendResponseTo((*out)[:0], &req, v) // times keep the fraction digits the client sent
	*out = b
	if err != nil {
		h.writeFault(w, r, fmt.Errorf("the result of %s cannot be sent as XML-RPC: %w", req.Method, err))
		return
	}
	h.write(w, r, b)
}

// refuseBody answers a request whose body was refused: with an HTTP status
// when it is not 200, with a fault otherwise. A body that was not read to
// its end makes the connection useless for another request: the answer
// says so, and the rest of the body is discarded for a bounded time so
// that a client still sending it receives the answer (see linger).
// A refusal with status 200 (a body over limits.max_body_bytes) is a
// fault, written by fault in the front end's format.
func (h *Host) refuseBody(w http.ResponseWriter, r *http.Request, body *requestBody, status int, err error, fault faultWriter) {
	if !body.complete {
		w.Header().Set("Connection", "close")
		_ = http.NewResponseController(w).EnableFullDuplex() // read after writing
	}
	switch status {
	case http.StatusOK:
		fault(w, r, err)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "the server is busy reading other requests: "+err.Error()+"; retry", status)
	default:
		http.Error(w, err.Error(), status)
	}
	if !body.complete {
		// The budget is not needed to discard: give it back first.
		h.inflight.release(body.charged)
		body.charged = 0
		took := linger(w, body.raw)
		h.logger.Debug("refused a request body", "remote", r.RemoteAddr, "status", status, "error", err.Error(), "lingered", took)
	}
}

func (h *Host) writeFault(w http.ResponseWriter, r *http.Request, err error) {
	f := toFault(err)
	if f.Code == abi.CodeInternalError {
		h.logger.Error("internal error", "error", err.Error())
	}
	out := getBytes()
	defer putBytes(out)
	*out = xmlrpc.AppendFault((*out)[:0], f)
	h.writeStatus(w, r, *out, callStatus(err, w.Header())) // 401/429 for refused callers (auth_http.go)
}

// write sends a methodResponse, gzipped when it is large and the client
// accepts gzip, as Python's server does.
func (h *Host) write(w http.ResponseWriter, r *http.Request, b []byte) {
	h.writeAs(w, r, xmlContentType, b, http.StatusOK)
}

// writeStatus is write with the given HTTP status (callStatus).
func (h *Host) writeStatus(w http.ResponseWriter, r *http.Request, b []byte, status int) {
	h.writeAs(w, r, xmlContentType, b, status)
}

const xmlContentType = "text/xml; charset=utf-8"

// writeAs is write for a response of any front end, with its status.
func (h *Host) writeAs(w http.ResponseWriter, r *http.Request, contentType string, b []byte, status int) {
	raw := b
	hdr := w.Header()
	hdr.Set("Content-Type", contentType)
	if h.cfg.gzipEnabled && len(b) >= h.cfg.gzipMinSize && acceptsGzip(r) {
		z := buffers.Get().(*bytes.Buffer)
		defer putBuffer(z)
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(z)
		_, _ = zw.Write(b)
		_ = zw.Close()
		gzipWriters.Put(zw)
		b = z.Bytes()
		hdr.Set("Content-Encoding", "gzip")
		hdr.Add("Vary", "Accept-Encoding")
	}
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	// A response is held until the client has read it, up to
	// http.write_timeout after its call released the instance: it is
	// charged to the in-flight budget while it is written, forcibly since
	// it must be sent, so that a slow reader holding many responses makes
	// new requests wait (admit) instead of running more calls.
	held := charge(len(b))
	if len(b) != len(raw) {
		held += charge(len(raw)) // the XML, kept beside its gzip
	}
	h.inflight.force(held)
	defer h.inflight.release(held)
	_, _ = w.Write(b)
}

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

var byteSlices = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func getBytes() *[]byte { return byteSlices.Get().(*[]byte) }

func putBytes(b *[]byte) {
	if cap(*b) > 1<<20 {
		return
	}
	byteSlices.Put(b)
}

// putBuffer recycles a buffer unless it grew large, so one huge request does
// not pin its memory forever.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	buffers.Put(b)
}
