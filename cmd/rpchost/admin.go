package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/kolo/xmlrpc"
	"github.com/spf13/cobra"
)

func newUploadCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "upload FILE.wasm",
		Short: "Upload a module to a running server (plugins.upload)",
		Long: `Upload a module. The server validates it, writes it into its plugin
directory and serves it at once; the plugin is named after the file unless
--name says otherwise. Needs the server's admin token (--token or
RPCHOST_ADMIN_TOKEN).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wasm, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			name, _ := cmd.Flags().GetString("name")
			fromFile := name == ""
			if fromFile {
				name = strings.TrimSuffix(filepath.Base(args[0]), ".wasm")
			}
			var info map[string]any
			// kolo/xmlrpc sends a []byte as an array of ints; Base64 is its base64 type.
			encoded := xmlrpc.Base64(base64.StdEncoding.EncodeToString(wasm))
			if err := adminCall(cmd, "plugins.upload", []any{name, encoded}, &info); err != nil {
				if fromFile && strings.Contains(err.Error(), "invalid plugin name") {
					return fmt.Errorf("%w\nthe name %q comes from the file name: give the plugin a valid one with --name", err, name)
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "uploaded %v: version %v, sha256 %v, methods %v\n", info["name"], info["version"], info["sha256"], info["methods"])
			return nil
		},
	}
	addClientFlags(cmd, true)
	cmd.Flags().String("name", "", "plugin name (default: the file name without .wasm)")
	return cmd
}

func newRemoveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"remove"},
		Short:   "Remove a plugin from a running server (plugins.remove)",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ok bool
			if err := adminCall(cmd, "plugins.remove", []any{args[0]}, &ok); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", strings.TrimSuffix(args[0], ".wasm"))
			return nil
		},
	}
	addClientFlags(cmd, true)
	return cmd
}

func newListCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the plugins a running server serves (plugins.list)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var plugins []map[string]any
			if err := adminCall(cmd, "plugins.list", nil, &plugins); err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tVERSION\tKIND\tSIZE\tSHA256\tMETHODS")
			for _, p := range plugins {
				sha, _ := p["sha256"].(string)
				if len(sha) > 12 {
					sha = sha[:12]
				}
				fmt.Fprintf(w, "%v\t%v\t%v\t%v\t%s\t%v\n", p["name"], p["version"], p["kind"], p["size"], sha, p["methods"])
			}
			return w.Flush()
		},
	}
	addClientFlags(cmd, false)
	return cmd
}

func adminCall(cmd *cobra.Command, method string, params []any, out any) error {
	c, err := newClient(cmd)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Call(method, params, out); err != nil {
		server, _ := cmd.Flags().GetString("server")
		return callErr(server, method, err)
	}
	return nil
}
