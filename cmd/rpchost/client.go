package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/rpc"
	"os"
	"regexp"

	"github.com/kolo/xmlrpc"
	"github.com/spf13/cobra"
)

const defaultServer = "http://127.0.0.1:8088/"

// addClientFlags gives a client subcommand --server and, for admin
// commands, --token, both defaulting from the environment.
func addClientFlags(cmd *cobra.Command, admin bool) {
	server := os.Getenv("RPCHOST_SERVER")
	if server == "" {
		server = defaultServer
	}
	cmd.Flags().String("server", server, "rpchost URL (env RPCHOST_SERVER)")
	if admin {
		cmd.Flags().String("token", "", "admin token (default: env RPCHOST_ADMIN_TOKEN)")
	}
}

// bearer adds the admin token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

func newClient(cmd *cobra.Command) (*xmlrpc.Client, error) {
	server, _ := cmd.Flags().GetString("server")
	var transport http.RoundTripper = http.DefaultTransport
	if cmd.Flags().Lookup("token") != nil {
		token, _ := cmd.Flags().GetString("token")
		if token == "" {
			token = os.Getenv("RPCHOST_ADMIN_TOKEN")
		}
		if token != "" {
			transport = bearer{token: token, next: transport}
		}
	}
	c, err := xmlrpc.NewClient(server, transport)
	if err != nil {
		return nil, fmt.Errorf("server %s: %w", server, err)
	}
	return c, nil
}

// callErr words a fault or a transport failure for a person. kolo/xmlrpc's
// Call goes through net/rpc, which turns a fault into an rpc.ServerError
// reading "Fault(code): message".
func callErr(server, method string, err error) error {
	var se rpc.ServerError
	if errors.As(err, &se) {
		if m := faultRE.FindStringSubmatch(string(se)); m != nil {
			return fmt.Errorf("%s: fault %s: %s", method, m[1], m[2])
		}
		return fmt.Errorf("%s: %s", method, string(se))
	}
	return fmt.Errorf("%s at %s: %w", method, server, err)
}

var faultRE = regexp.MustCompile(`(?s)^Fault\((-?\d+)\): (.*)$`)
