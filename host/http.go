package host

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// Handler answers XML-RPC on POST / and /RPC2, like Python's server, and
// plugin administration on /plugins; every other path is 404.
func (h *Host) Handler() http.Handler {
	return http.HandlerFunc(h.serveHTTP)
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (h *Host) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/plugins" || strings.HasPrefix(r.URL.Path, "/plugins/") {
		h.servePlugins(w, r)
		return
	}
	if r.URL.Path != "/" && r.URL.Path != "/RPC2" {
		http.Error(w, "No such page", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "XML-RPC takes POST requests; "+r.Method+" is not supported", http.StatusMethodNotAllowed)
		return
	}
	body := buffers.Get().(*bytes.Buffer)
	defer putBuffer(body)
	if status, err := h.readBody(w, r, body); err != nil {
		if status != http.StatusOK {
			http.Error(w, err.Error(), status)
			return
		}
		h.writeFault(w, r, err)
		return
	}
	req, err := xmlrpc.ParseRequest(body.Bytes(), h.limits)
	if err != nil {
		h.writeFault(w, r, err)
		return
	}
	v, err := h.Call(withToken(r.Context(), r), req.Method, req.Params)
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

// readBody reads the request, decoding gzip, into body. A non-200 status
// means an HTTP-level refusal; otherwise the error becomes a fault.
func (h *Host) readBody(w http.ResponseWriter, r *http.Request, body *bytes.Buffer) (int, error) {
	limit := h.cfg.maxBodyBytes
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close") // the unread body makes the connection useless
		return http.StatusOK, bodyTooLarge(limit)
	}
	enc := r.Header.Get("Content-Encoding")
	if enc == "" && r.ContentLength >= 0 {
		// The common case, a plain body of known length within the limit
		// (net/http stops the body at Content-Length): read it straight
		// into the buffer, with no wrapping reader to allocate.
		body.Grow(int(r.ContentLength))
		buf := body.AvailableBuffer()[:r.ContentLength]
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return http.StatusBadRequest, fmt.Errorf("reading the request body: %v", err)
		}
		body.Write(buf) // buf is the buffer's own spare capacity: this only extends it
		return http.StatusOK, nil
	}
	var src io.Reader = http.MaxBytesReader(w, r.Body, limit)
	gzipped := false
	switch enc = strings.ToLower(strings.TrimSpace(enc)); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		gzipped = true
		zr, err := gzip.NewReader(src)
		if err != nil {
			return http.StatusBadRequest, fmt.Errorf("the request body is not valid gzip: %v", err)
		}
		defer zr.Close()
		src = zr
	default:
		return http.StatusNotImplemented, fmt.Errorf("Content-Encoding %q is not supported; send identity or gzip", enc)
	}
	// One byte past the limit tells a body that is exactly at the limit
	// from one that is over it, even after decompression.
	n, err := body.ReadFrom(io.LimitReader(src, limit+1))
	var maxBytes *http.MaxBytesError
	switch {
	case errors.As(err, &maxBytes) || n > limit:
		w.Header().Set("Connection", "close")
		return http.StatusOK, bodyTooLarge(limit)
	case err != nil && gzipped:
		return http.StatusBadRequest, fmt.Errorf("the request body is not valid gzip: %v", err)
	case err != nil:
		return http.StatusBadRequest, fmt.Errorf("reading the request body: %v", err)
	}
	return http.StatusOK, nil
}

func bodyTooLarge(limit int64) error {
	return fmt.Errorf("%w: the request body exceeds %d bytes (limits.max_body_bytes)", xmlrpc.ErrLimit, limit)
}

func (h *Host) writeFault(w http.ResponseWriter, r *http.Request, err error) {
	f := toFault(err)
	if f.Code == abi.CodeInternalError {
		h.logger.Error("internal error", "error", err.Error())
	}
	out := getBytes()
	defer putBytes(out)
	*out = xmlrpc.AppendFault((*out)[:0], f)
	h.write(w, r, *out)
}

// write sends a methodResponse, gzipped when it is large and the client
// accepts gzip, as Python's server does.
func (h *Host) write(w http.ResponseWriter, r *http.Request, b []byte) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/xml; charset=utf-8")
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
	w.WriteHeader(http.StatusOK)
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
