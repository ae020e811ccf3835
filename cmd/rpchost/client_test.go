package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

func TestClientCallsWithRPCHostsCodec(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := xmlrpc.ParseRequest(body, xmlrpc.Limits{})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		switch req.Method {
		case "echo":
			out, err := xmlrpc.AppendResponse(nil, req.Params)
			if err != nil {
				t.Error(err)
			}
			w.Write(out)
		case "token":
			out, _ := xmlrpc.AppendResponse(nil, r.Header.Get("Authorization"))
			w.Write(out)
		case "fault":
			w.Write(xmlrpc.AppendFault(nil, &abi.Fault{Code: -32602, Message: "no"}))
		case "unauthenticated":
			w.Header().Set("WWW-Authenticate", `Basic realm="rpchost"`)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(xmlrpc.AppendFault(nil, &abi.Fault{Code: -32009, Message: "authentication required: send a token"}))
		case "garbage":
			w.Write([]byte("<html>"))
		default:
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		}
	}))
	defer srv.Close()
	c := &client{url: srv.URL + "/", token: "t0k"}
	ctx := context.Background()

	params := []any{int64(-1), 3.0, "s", nil, []byte("hi"), abi.Struct{{Name: "b", Value: true}}}
	got, err := c.call(ctx, "echo", params)
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := formatValue(got); !strings.Contains(out, "3.0") || !strings.Contains(out, `{"__base64__":"aGk="}`) || !strings.Contains(out, "null") {
		t.Errorf("echo printed %s", out)
	}
	if got, _ := c.call(ctx, "token", nil); got != "Bearer t0k" {
		t.Errorf("Authorization %q", got)
	}
	// A refused caller's fault comes with 401: it is a fault all the same.
	if _, err := c.call(ctx, "unauthenticated", nil); exitCode(err) != 1 || !strings.Contains(err.Error(), "-32009: authentication required: send a token") {
		t.Errorf("a fault with 401: %v (exit %d), want the fault, exit 1", err, exitCode(err))
	}
	_, err = c.call(ctx, "fault", nil)
	var fault *abi.Fault
	if !errors.As(err, &fault) || fault.Code != -32602 || exitCode(err) != 1 || !strings.Contains(err.Error(), "fault: fault -32602: no") {
		t.Errorf("fault: %v (exit %d)", err, exitCode(err))
	}
	for _, m := range []string{"garbage", "big"} {
		_, err := c.call(ctx, m, nil)
		if err == nil || exitCode(err) != 2 || errors.As(err, &fault) {
			t.Errorf("%s: %v (exit %d), want a failure that is not a fault", m, err, exitCode(err))
		}
	}
	if _, err := c.call(ctx, "big", nil); err == nil || !strings.Contains(err.Error(), "413") {
		t.Errorf("HTTP 413: %v", err)
	}
}

// TestCallKeepsFractionsOfASecond checks both argument forms against a
// server that answers as rpchost does (AppendResponseTo): the fraction the
// user wrote goes out and is printed back.
func TestCallKeepsFractionsOfASecond(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := xmlrpc.ParseRequest(body, xmlrpc.Limits{})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, _ := xmlrpc.AppendResponseTo(nil, &req, req.Params[0])
		w.Write(out)
	}))
	defer srv.Close()
	c := &client{url: srv.URL + "/"}
	for _, arg := range []string{"datetime:2026-01-02T03:04:05.123Z", `{"__datetime__": "2026-01-02T03:04:05.123Z"}`, `{"$datetime": "2026-01-02T03:04:05.123Z"}`, "dateTime.iso8601:20260102T03:04:05.123"} {
		v, err := parseArg(arg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.call(context.Background(), "echo", []any{v})
		if err != nil {
			t.Fatal(err)
		}
		if out, _ := formatValue(got); out != `{"__datetime__":"2026-01-02T03:04:05.123Z"}` {
			t.Errorf("%s came back as %s", arg, out)
		}
	}
}
