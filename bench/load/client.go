package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strconv"
	"time"
)

// client is one HTTP/1.1 connection that sends the same pre-built request
// over and over, reading each response completely. It is deliberately
// minimal, as wrk is, so that the load generator costs far less CPU than the
// servers it measures: no header maps, no per-request allocations. It
// reconnects when a server closes the connection (Python's server answers
// HTTP/1.0 and closes after every response).
type client struct {
	addr    string
	request []byte // the whole request: request line, headers, body
	timeout time.Duration

	conn net.Conn
	br   *bufio.Reader
	stop func() bool // unregisters the close-on-cancel hook of conn
	body []byte      // the last response body, reused
}

// body0 is the request's body, inside request: the bytes after the
// header's blank line.
func (c *client) body0() []byte {
	i := bytes.Index(c.request, []byte("\r\n\r\n"))
	return c.request[i+4:]
}

// errDial is wrapped by the error of a connection that could not be opened.
var errDial = errors.New("dial")

// ErrStatus is wrapped by the error of a response whose status is not 200.
var ErrStatus = errors.New("HTTP status is not 200")

// roundTrip sends the request and reads the response, dialling first when
// there is no connection. It returns the response body, valid until the
// next call, and whether a connection was opened for it.
func (c *client) roundTrip(ctx context.Context) (body []byte, dialled bool, err error) {
	if c.conn == nil {
		if err := c.dial(ctx); err != nil {
			return nil, true, err
		}
		dialled = true
	}
	if err := c.conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		c.close()
		return nil, dialled, err
	}
	if _, err := c.conn.Write(c.request); err != nil {
		c.close()
		return nil, dialled, fmt.Errorf("write: %w", err)
	}
	status, keepAlive, err := c.readResponse()
	if err != nil {
		c.close()
		return nil, dialled, fmt.Errorf("read: %w", err)
	}
	if !keepAlive {
		c.close()
	}
	if status != 200 {
		return c.body, dialled, fmt.Errorf("%w: %d", ErrStatus, status)
	}
	return c.body, dialled, nil
}

func (c *client) dial(ctx context.Context) error {
	d := net.Dialer{Timeout: c.timeout}
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return fmt.Errorf("%w: %w", errDial, err)
	}
	c.conn = conn
	// Closing the connection is what interrupts a blocked read when the
	// run is cancelled.
	c.stop = context.AfterFunc(ctx, func() { conn.Close() })
	if c.br == nil {
		c.br = bufio.NewReaderSize(conn, 16<<10)
	} else {
		c.br.Reset(conn)
	}
	return nil
}

func (c *client) close() {
	if c.conn == nil {
		return
	}
	c.stop()
	c.conn.Close()
	c.conn = nil
}

// readResponse reads one response into c.body. A body is delimited by
// Content-Length, chunked encoding, or (HTTP/1.0 without a length) the end
// of the connection.
func (c *client) readResponse() (status int, keepAlive bool, err error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, false, fmt.Errorf("status line: %w", err)
	}
	var http10 bool
	switch {
	case bytes.HasPrefix(line, []byte("HTTP/1.1 ")):
	case bytes.HasPrefix(line, []byte("HTTP/1.0 ")):
		http10 = true
	default:
		return 0, false, fmt.Errorf("status line %q is not HTTP/1.x", line)
	}
	if len(line) < 12 {
		return 0, false, fmt.Errorf("status line %q is too short", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, fmt.Errorf("status line %q: %w", line, err)
	}
	keepAlive = !http10
	length, chunked := -1, false
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, false, fmt.Errorf("headers: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, fmt.Errorf("header line %q has no colon", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, false, fmt.Errorf("Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			switch {
			case bytes.EqualFold(value, []byte("close")):
				keepAlive = false
			case bytes.EqualFold(value, []byte("keep-alive")):
				keepAlive = true
			}
		}
	}
	switch {
	case chunked:
		c.body, err = readAllInto(c.body[:0], httputil.NewChunkedReader(c.br))
	case length >= 0:
		if cap(c.body) < length {
			c.body = make([]byte, length)
		}
		c.body = c.body[:length]
		_, err = io.ReadFull(c.br, c.body)
	default:
		keepAlive = false
		c.body, err = readAllInto(c.body[:0], c.br)
	}
	if err != nil {
		return 0, false, fmt.Errorf("body: %w", err)
	}
	return status, keepAlive, nil
}

// readAllInto appends everything r yields to dst.
func readAllInto(dst []byte, r io.Reader) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}
