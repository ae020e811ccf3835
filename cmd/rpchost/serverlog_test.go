package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestServerErrorsGoThroughTheLogger(t *testing.T) {
	var out bytes.Buffer
	l := serverErrorLog(slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo})))
	l.Printf("http: TLS handshake error from 192.0.2.1:5555: EOF")
	l.Printf("http: panic serving 192.0.2.1:5556: boom")
	got := out.String()
	if strings.Contains(got, "handshake") {
		t.Errorf("a handshake error is logged above debug:\n%s", got)
	}
	if !strings.Contains(got, "level=WARN") || !strings.Contains(got, "panic serving") {
		t.Errorf("a handler's panic is not a structured warning:\n%s", got)
	}
}
