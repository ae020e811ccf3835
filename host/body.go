package host

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// Reading a request body: the buffer grows with the bytes that actually
// arrive (never with what Content-Length announces), and every byte past
// the first bodyFloor is charged to the in-flight budget
// (limits.max_inflight_bytes) until the response has been written.

// bodyFloor is what any request may read without charging the budget: the
// same order as the buffers net/http already keeps for every connection,
// so it adds nothing a connection did not already cost, and a small call
// (add(3, 4) is 200 bytes) is never held up by large bodies in flight.
const bodyFloor = 4 << 10

// gzipStateBytes is charged while a gzip body is decoded: the inflater's
// 32 KiB window, its tables and its input buffer.
const gzipStateBytes = 48 << 10

// maxPooledBody is the largest buffer put back in the pool, so one large
// request does not pin its memory for good.
const maxPooledBody = 1 << 20

var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, bodyFloor); return &b }}

func putBody(b *[]byte) {
	if cap(*b) > maxPooledBody {
		return
	}
	*b = (*b)[:0]
	bodyBuffers.Put(b)
}

var gzipReaders sync.Pool // of *gzip.Reader, whose inflater state is reused

// requestBody is a request body read into memory.
type requestBody struct {
	buf      *[]byte // pooled; grows as bytes arrive
	data     []byte  // the body, decoded
	charged  int64   // bytes of the in-flight budget held until the request ends
	complete bool    // the client's body was read to its end
	raw      io.Reader
}

// faultWriter answers a request with a fault in its front end's format.
type faultWriter func(w http.ResponseWriter, r *http.Request, err error)

// receive admits and reads a request's body into body, the one way every
// front end reads one: a POST (protocol names the front end in the 405),
// under limits.max_body_bytes and the in-flight budget. When it returns
// false the request has been answered (an HTTP refusal, or fault for a
// body over the limit) and the front end stops.
func (h *Host) receive(w http.ResponseWriter, r *http.Request, protocol string, body *requestBody, fault faultWriter) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, protocol+" takes POST requests; "+r.Method+" is not supported", http.StatusMethodNotAllowed)
		return false
	}
	// Responses being written may hold more than the whole budget (see
	// write): then no new request is read or run until they are sent. The
	// refusal is that of a body not read (503, then lingering close).
	if err := h.inflight.admit(r.Context(), inflightWait); err != nil {
		h.refuseBody(w, r, body, http.StatusServiceUnavailable, err, fault)
		return false
	}
	if status, err := h.read(r, body); err != nil {
		h.refuseBody(w, r, body, status, err, fault)
		return false
	}
	return true
}

// release gives the buffer and the budget back.
func (h *Host) releaseBody(b *requestBody) {
	h.inflight.release(b.charged)
	b.charged = 0
	putBody(b.buf)
}

// charge is what a buffer of size bytes costs the budget.
func charge(size int) int64 {
	if size <= bodyFloor {
		return 0
	}
	return int64(size)
}

// read reads r's body, decoding gzip. A non-200 status means an HTTP-level
// refusal; otherwise the error becomes a fault.
func (h *Host) read(r *http.Request, b *requestBody) (int, error) {
	limit := h.cfg.maxBodyBytes
	if r.ContentLength > limit {
		return http.StatusOK, bodyTooLarge(limit)
	}
	enc := r.Header.Get("Content-Encoding")
	if enc == "" && r.ContentLength >= 0 {
		// The common case, a plain body of known length within the limit
		// (net/http stops the body at Content-Length): read straight into
		// the buffer, with no wrapping reader to allocate.
		return h.fill(r.Context(), r.Body, b, r.ContentLength, limit, false)
	}
	switch enc = strings.ToLower(strings.TrimSpace(enc)); enc {
	case "", "identity":
		return h.fill(r.Context(), r.Body, b, -1, limit, false)
	case "gzip", "x-gzip":
	default:
		return http.StatusNotImplemented, fmt.Errorf("Content-Encoding %q is not supported; send identity or gzip", enc)
	}
	if err := h.inflight.acquire(r.Context(), gzipStateBytes, inflightWait); err != nil {
		return http.StatusServiceUnavailable, err
	}
	b.charged += gzipStateBytes
	// The compressed bytes are capped too: a stream of empty gzip members
	// decodes to nothing and would otherwise be read for ever.
	src := http.MaxBytesReader(nil, r.Body, limit)
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	if zr == nil {
		zr = new(gzip.Reader)
	}
	defer gzipReaders.Put(zr)
	if err := zr.Reset(src); err != nil {
		return h.gzipError(err, limit)
	}
	status, err := h.fill(r.Context(), zr, b, -1, limit, true)
	if err != nil && status == http.StatusBadRequest {
		return h.gzipError(err, limit)
	}
	return status, err
}

func (h *Host) gzipError(err error, limit int64) (int, error) {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return http.StatusOK, bodyTooLarge(limit)
	}
	return http.StatusBadRequest, fmt.Errorf("the request body is not valid gzip: %v", err)
}

// fill reads src into b.buf until EOF, or until want bytes when want is
// known. The buffer starts at bodyFloor (or want, if smaller) and doubles
// as bytes arrive, each growth charged to the budget first, so what a
// request holds is at most twice what it has sent.
func (h *Host) fill(ctx context.Context, src io.Reader, b *requestBody, want, limit int64, decoded bool) (int, error) {
	buf := (*b.buf)[:0]
	ceiling := limit + 1 // one byte past the limit tells "at" from "over"
	if want >= 0 {
		ceiling = want
	}
	window := int(min(ceiling, bodyFloor))
	if cap(buf) < window {
		buf = make([]byte, 0, bodyFloor)
		*b.buf = buf
	}
	for {
		if len(buf) == window {
			if int64(window) == ceiling {
				if want >= 0 {
					break // everything announced has arrived
				}
				return http.StatusOK, bodyTooLarge(limit)
			}
			next := int(min(ceiling, int64(2*window)))
			var err error
			if buf, err = h.grow(ctx, b, buf, window, next); err != nil {
				return http.StatusServiceUnavailable, err
			}
			window = next
		}
		n, err := src.Read(buf[len(buf):window])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if want >= 0 && int64(len(buf)) < want {
				err = io.ErrUnexpectedEOF
			} else {
				b.complete = true
				break
			}
		}
		if err != nil {
			var maxBytes *http.MaxBytesError
			if errors.As(err, &maxBytes) {
				return http.StatusOK, bodyTooLarge(limit)
			}
			if decoded {
				return http.StatusBadRequest, err // the caller says it is gzip
			}
			return http.StatusBadRequest, fmt.Errorf("reading the request body: %v", err)
		}
	}
	if want >= 0 {
		b.complete = true
	}
	b.data = buf
	return http.StatusOK, nil
}

// grow makes room for next bytes in buf, which holds window bytes' worth
// of budget. A new array is charged in full before it is allocated and
// the old one released after the copy, so the budget covers both while
// they coexist.
func (h *Host) grow(ctx context.Context, b *requestBody, buf []byte, window, next int) ([]byte, error) {
	if next <= cap(buf) { // the pooled array is large enough already
		delta := charge(next) - charge(window)
		if err := h.inflight.acquire(ctx, delta, inflightWait); err != nil {
			return nil, err
		}
		b.charged += delta
		return buf, nil
	}
	if err := h.inflight.acquire(ctx, charge(next), inflightWait); err != nil {
		return nil, err
	}
	b.charged += charge(next)
	grown := make([]byte, len(buf), next)
	copy(grown, buf)
	*b.buf = grown
	h.inflight.release(charge(window))
	b.charged -= charge(window)
	return grown, nil
}

func bodyTooLarge(limit int64) error {
	return fmt.Errorf("%w: the request body exceeds %d bytes (limits.max_body_bytes)", xmlrpc.ErrLimit, limit)
}

// Lingering close: a client such as Python's http.client sends its whole
// body before it reads a response, so a server that answers early and
// closes makes it fail with a connection reset instead of the answer.
// After refusing a body it has not read, the server reads and discards
// the rest (as nginx's lingering_close does), within these bounds, then
// closes. The times are nginx's defaults (lingering_time, lingering_timeout):
// a client on a busy machine can stall for over a second between writes,
// and cutting it off then loses the answer it was sent.
const (
	lingerTime  = 30 * time.Second // in all
	lingerIdle  = 5 * time.Second  // with nothing arriving
	lingerBytes = 1 << 30          // discarded in all
)

// linger discards what is left of r's body after the response was
// written, within the bounds above. Discarding goes through io.Discard's
// small pooled buffers, so a lingering connection holds no body memory.
func linger(w http.ResponseWriter, r io.Reader) time.Duration {
	start := time.Now()
	rc := http.NewResponseController(w)
	if rc.Flush() != nil {
		return 0
	}
	end := start.Add(lingerTime)
	_, _ = io.CopyN(io.Discard, &deadlineReader{rc: rc, r: r, end: end}, lingerBytes)
	return time.Since(start)
}

// deadlineReader moves the connection's read deadline before each read:
// lingerIdle from now, never past end.
type deadlineReader struct {
	rc  *http.ResponseController
	r   io.Reader
	end time.Time
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	dl := time.Now().Add(lingerIdle)
	if dl.After(d.end) {
		dl = d.end
	}
	if err := d.rc.SetReadDeadline(dl); err != nil {
		return 0, err
	}
	return d.r.Read(p)
}
