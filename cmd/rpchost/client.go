package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// maxResponseBytes bounds what the client reads of one response: far
// above the server's default result limit, low enough that a wrong URL
// serving an endless stream cannot exhaust memory.
const maxResponseBytes = 1 << 30

// addClientFlags gives a client subcommand --server and, for admin
// commands, --token. Unset, they come from the configuration serve reads.
func addClientFlags(cmd *cobra.Command, admin bool) {
	cmd.Flags().String("server", "", "server URL or host:port (default: env RPCHOST_SERVER, else the configuration's listen); https://name:token@host:port/ calls as a caller of auth.callers")
	cmd.Flags().String("ca", "", "PEM file of the certificate authorities to trust for an https:// server, instead of the system's")
	if admin {
		cmd.Flags().String("token", "", "admin token (default: the configuration's admin.token, env RPCHOST_ADMIN_TOKEN)")
	}
}

// client calls one rpchost server with rpchost's own codec, so that every
// XML-RPC type goes through unchanged and faults arrive as *abi.Fault.
type client struct {
	url, token string
	shown      string       // url with any password masked, for messages; "" is url
	http       *http.Client // nil is http.DefaultClient
}

func (c *client) where() string {
	if c.shown == "" {
		return c.url
	}
	return c.shown
}

func (c *client) httpClient() *http.Client {
	if c.http == nil {
		return http.DefaultClient
	}
	return c.http
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
	scheme := "http"
	if server == "" {
		s, err := config()
		if err != nil {
			return nil, err
		}
		server = s.listen
		if s.tls.certFile != "" { // the server this configuration starts speaks HTTPS
			scheme = "https"
		}
	}
	u, err := serverURL(server, scheme)
	if err != nil {
		return nil, err
	}
	c.url, c.shown = u, u
	if parsed, err := url.Parse(u); err == nil {
		c.shown = parsed.Redacted()
	}
	ca, _ := cmd.Flags().GetString("ca")
	if c.http, err = httpClient(ca); err != nil {
		return nil, err
	}
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
func serverURL(server, scheme string) (string, error) {
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
	return scheme + "://" + net.JoinHostPort(host, port) + "/", nil
}

// httpClient is the client's HTTP client: Go's defaults, trusting the
// certificate authorities of caFile instead of the system's when given.
func httpClient(caFile string) (*http.Client, error) {
	if caFile == "" {
		return http.DefaultClient, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca %s: no PEM certificate in the file", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
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
		return nil, fmt.Errorf("server %s: %w", c.where(), err)
	}
	req.Header.Set("Content-Type", "text/xml")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", method, c.where(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s at %s: reading the response: %w", method, c.where(), err)
	}
	if len(data) > maxResponseBytes {
		return nil, fmt.Errorf("%s at %s: the response is over %d bytes", method, c.where(), maxResponseBytes)
	}
	v, err := xmlrpc.ParseResponse(data, xmlrpc.Limits{MaxDepth: abi.MaxDepth + 1, MaxItems: maxResponseBytes})
	var fault *abi.Fault
	if errors.As(err, &fault) {
		// Refused callers get their fault with 401 or 429: the fault says
		// what to send, so it is what to show, with how this command sends it.
		if fault.Code == host.CodeForbidden {
			return nil, fmt.Errorf("%s: %w (this command sends --token, else RPCHOST_ADMIN_TOKEN or admin.token)", method, fault)
		}
		return nil, fmt.Errorf("%s: %w", method, fault)
	}
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusBadRequest && strings.Contains(string(data), "HTTPS server") {
			hint = " (the server speaks TLS: use an https:// URL)"
		}
		return nil, fmt.Errorf("%s at %s: HTTP %s: %s%s", method, c.where(), resp.Status, firstLine(data), hint)
	}
	if err != nil {
		return nil, fmt.Errorf("%s at %s: not an XML-RPC response: %w", method, c.where(), err)
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
