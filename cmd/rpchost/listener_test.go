package main

import (
	"net"
	"net/http"
	"testing"
	"time"
)

// TestConnLimiterClosesIdlestForNewConnection: with every slot taken, a
// new connection waits while none is idle, then takes the slot of the one
// idle longest; an active connection is never closed.
func TestConnLimiterClosesIdlestForNewConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimiter(ln, 2)
	defer l.Close()
	accepted := make(chan net.Conn, 3)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	var clients []net.Conn
	dial := func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	dial()
	dial()
	a, b := <-accepted, <-accepted
	l.connState(a, http.StateActive)
	l.connState(b, http.StateActive)
	dial()
	select {
	case <-accepted:
		t.Fatal("a third connection was accepted while two of two were active")
	case <-time.After(200 * time.Millisecond):
	}
	l.connState(b, http.StateIdle) // b turns idle: it makes room
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("the third connection was not accepted once one of two turned idle")
	}
	if _, err := b.Write([]byte("x")); err == nil {
		t.Error("the idle connection was not closed")
	}
	if _, err := a.Write([]byte("x")); err != nil {
		t.Errorf("the active connection was closed: %v", err)
	}
}
