package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// maxResponseBytes bounds what the client reads of one response: far
// above the server's default result limit, low enough that a wrong URL
// serving an endless stream cannot exhaust memory.
const maxResponseBytes = 1 << 30

// addClientFlags gives a client subcommand --server and, for admin
// commands, --token. Unset, they come from the configuration serve reads.
func addClientFlags(cmd *cobra.Command, admin bool) {
	cmd.Flags().String("server", "", "server URL or host:port (default: env RPCHOST_SERVER, else the configuration's listen)")
	if admin {
		cmd.Flags().String("token", "", "admin token (default: the configuration's admin.token, env RPCHOST_ADMIN_TOKEN)")
	}
}

// client calls one rpchost server with rpchost's own codec, so that every
// XML-RPC type goes through unchanged and faults arrive as *abi.Fault.
type client struct {
	url, token string
}

// newClient finds the server and the token: flags first, then
// RPCHOST_SERVER, then the configuration serve would read in this
// directory (its listen address and admin.token, RPCHOST_* included).
func newClient(cmd *cobra.Command) (*client, error) {
	c := &client{}
	server, _ := cmd.Flags().GetString("server")
	if server == "" {
		server = os.Getenv("RPCHOST_SERVER")
	}
	var s *settings
	config := func() (*settings, error) {
		if s != nil {
			return s, nil
		}
		var err error
		s, err = loadSettings(cmd)
		return s, err
	}
	if server == "" {
		s, err := config()
		if err != nil {
			return nil, err
		}
		server = s.listen
	}
	url, err := serverURL(server)
	if err != nil {
		return nil, err
	}
	c.url = url
	if cmd.Flags().Lookup("token") != nil {
		c.token, _ = cmd.Flags().GetString("token")
		if c.token == "" {
			s, err := config()
			if err != nil {
				return nil, err
			}
			c.token = s.adminToken
		}
	}
	return c, nil
}

// serverURL turns a URL or a listen address into the URL to call. A listen
// address on every interface (:8088, 0.0.0.0:8088, [::]:8088) is reached
// on the loopback address.
func serverURL(server string) (string, error) {
	if strings.Contains(server, "://") {
		if strings.Count(server, "/") == 2 { // http://host:port
			server += "/"
		}
		return server, nil
	}
	host, port, err := net.SplitHostPort(server)
	if err != nil {
		return "", fmt.Errorf("server %q: want a URL (http://127.0.0.1:8088/) or host:port: %w", server, err)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/", nil
}

// call sends one methodCall and returns its result; a fault is returned as
// an error wrapping *abi.Fault.
func (c *client) call(ctx context.Context, method string, params []any) (any, error) {
	body, err := xmlrpc.AppendRequest(nil, method, params)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("server %s: %w", c.url, err)
	}
	req.Header.Set("Content-Type", "text/xml")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", method, c.url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s at %s: reading the response: %w", method, c.url, err)
	}
	if len(data) > maxResponseBytes {
		return nil, fmt.Errorf("%s at %s: the response is over %d bytes", method, c.url, maxResponseBytes)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s at %s: HTTP %s: %s", method, c.url, resp.Status, firstLine(data))
	}
	v, err := xmlrpc.ParseResponse(data, xmlrpc.Limits{MaxDepth: abi.MaxDepth + 1, MaxItems: maxResponseBytes})
	var fault *abi.Fault
	if errors.As(err, &fault) {
		return nil, fmt.Errorf("%s: %w", method, fault)
	}
	if err != nil {
		return nil, fmt.Errorf("%s at %s: not an XML-RPC response: %w", method, c.url, err)
	}
	return v, nil
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.TrimSpace(s)
}
