package main

import (
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimiter bounds the connections open at once (http.max_connections)
// and, when the limit is reached and another client connects, closes the
// connection that has been idle longest to make room for it.
//
// It replaces golang.org/x/net/netutil.LimitListener, which only makes new
// connections wait for a slot: a keep-alive connection between requests
// holds its slot for http.idle_timeout (120 s), so 1,024 clients that
// each made one call and stayed connected locked everyone else out for two
// minutes. An idle keep-alive connection has no request in progress, and
// HTTP lets a server close it at any time (clients reconnect), so closing
// one costs nothing the client does not expect. Connections that are
// reading a request or writing a response are never closed here: they are
// bounded by http.read_header_timeout, read_timeout and write_timeout.
type connLimiter struct {
	net.Listener
	slots chan struct{} // one token per open connection

	mu     sync.Mutex
	idle   map[*limitedConn]time.Time // idle keep-alive connections, since when
	wake   chan struct{}              // closed (and replaced) when one turns idle
	closed chan struct{}
	once   sync.Once
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{
		Listener: ln,
		slots:    make(chan struct{}, max),
		idle:     make(map[*limitedConn]time.Time),
		wake:     make(chan struct{}),
		closed:   make(chan struct{}),
	}
}

// Accept returns the next connection once it has a slot. When every slot
// is taken it accepts the waiting connection first (so it holds at most
// one connection past the limit), then closes idle connections until a
// slot frees, waiting for one to turn idle or close if none is.
func (l *connLimiter) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
		return l.accept()
	default:
	}
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		l.mu.Lock()
		wake := l.wake
		l.mu.Unlock()
		l.closeIdlest()
		select {
		case l.slots <- struct{}{}:
			return l.wrap(c), nil
		case <-wake:
		case <-l.closed:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

func (l *connLimiter) accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return l.wrap(c), nil
}

func (l *connLimiter) wrap(c net.Conn) net.Conn { return &limitedConn{Conn: c, l: l} }

func (l *connLimiter) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// closeIdlest closes the connection idle longest, if any.
func (l *connLimiter) closeIdlest() {
	l.mu.Lock()
	var oldest *limitedConn
	var since time.Time
	for c, t := range l.idle {
		if oldest == nil || t.Before(since) {
			oldest, since = c, t
		}
	}
	delete(l.idle, oldest)
	l.mu.Unlock()
	if oldest != nil {
		oldest.Close()
	}
}

// connState is the http.Server's ConnState hook: it tracks which
// connections are idle between requests.
func (l *connLimiter) connState(c net.Conn, state http.ConnState) {
	if tc, ok := c.(*tls.Conn); ok { // with TLS the server sees the TLS connection over ours
		c = tc.NetConn()
	}
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if state == http.StateIdle {
		l.idle[lc] = time.Now()
		close(l.wake)
		l.wake = make(chan struct{})
		return
	}
	delete(l.idle, lc)
}

// limitedConn gives its slot back when it is closed, once.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.idle, c)
		c.l.mu.Unlock()
		<-c.l.slots
	})
	return err
}
