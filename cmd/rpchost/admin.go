package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/modsig"
)

func newUploadCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "upload FILE.wasm",
		Short: "Upload a module to a running server (plugins.upload)",
		Long: `Upload a module. The server validates it, writes it into its plugin
directory and serves it at once; the plugin is named after the file unless
--name says otherwise. Needs the server's admin token: --token, else the
admin.token of the configuration serve reads here (config.yaml, --config,
RPCHOST_ADMIN_TOKEN). The server is found as for call.

A server with deploy.trusted_keys needs the module's signature: --sig with
the file rpchost sign wrote (FILE.wasm.sig).`,
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
			params := []any{name, wasm}
			if sigPath, _ := cmd.Flags().GetString("sig"); sigPath != "" {
				sig, err := readBounded(sigPath, modsig.MaxSignatureBytes)
				if err != nil {
					return fmt.Errorf("--sig: %w", err)
				}
				params = append(params, sig)
			}
			v, err := adminCall(cmd, "plugins.upload", params...)
			if err != nil {
				if fromFile && strings.Contains(err.Error(), "invalid plugin name") {
					if valid := validPluginName(name); valid != "" {
						return fmt.Errorf("%w\nthe name %q comes from the file name: give the plugin a valid one, e.g. --name %s", err, name, valid)
					}
					return fmt.Errorf("%w\nthe name %q comes from the file name: give the plugin a valid one with --name", err, name)
				}
				return err
			}
			info, _ := v.(abi.Struct)
			get := func(k string) any { x, _ := info.Get(k); return x }
			fmt.Fprintf(cmd.OutOrStdout(), "uploaded %v: sha256 %v, methods %v (rpchost history %v lists its versions)\n", get("name"), get("sha256"), get("methods"), get("name"))
			return nil
		},
	}
	addClientFlags(cmd, true)
	cmd.Flags().String("name", "", "plugin name (default: the file name without .wasm)")
	cmd.Flags().String("sig", "", "the module's signature file, as rpchost sign writes it (needed by servers with deploy.trusted_keys)")
	return cmd
}

func newRemoveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"remove"},
		Short:   "Remove a plugin from a running server (plugins.remove)",
		Long: `Remove a plugin: the server deletes its file and stops serving it. Needs
the admin token and finds the server as upload does.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := adminCall(cmd, "plugins.remove", args[0]); err != nil {
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
		Long:  `List the plugins a running server serves. The server is found as for call.`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := adminCall(cmd, "plugins.list")
			if err != nil {
				return err
			}
			plugins, _ := v.([]any)
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tLOADS\tKIND\tSIZE\tSHA256\tMETHODS")
			for _, p := range plugins {
				s, _ := p.(abi.Struct)
				fmt.Fprintln(w, listRow(s))
			}
			return w.Flush()
		},
	}
	addClientFlags(cmd, false)
	return cmd
}

// validPluginName derives a name the server accepts from a file's name:
// each character outside A-Z a-z 0-9 _ becomes _, leading _ are dropped
// and the rest is cut to 64. It returns "" when nothing valid is left.
func validPluginName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	valid := strings.TrimLeft(b.String(), "_")
	valid = valid[:min(len(valid), 64)]
	if host.CheckPluginName(valid) != nil {
		return ""
	}
	return valid
}

// listRow is one plugin of plugins.list as a row of list's table. A
// refused file has no version, hash or methods: its row says "refused" and
// its last column is the reason, so that a listing shows why it is not
// served (not <nil>).
func listRow(s abi.Struct) string {
	get := func(k string) any { x, _ := s.Get(k); return x }
	if kind, _ := get("kind").(string); kind == "refused" {
		return fmt.Sprintf("%v\t-\trefused\t%v\t-\terror: %v", get("name"), get("size"), get("error"))
	}
	sha, _ := get("sha256").(string)
	if len(sha) > 12 {
		sha = sha[:12]
	}
	return fmt.Sprintf("%v\t%v\t%v\t%v\t%s\t%v", get("name"), get("version"), get("kind"), get("size"), sha, get("methods"))
}

func adminCall(cmd *cobra.Command, method string, params ...any) (any, error) {
	c, err := newClient(cmd)
	if err != nil {
		return nil, err
	}
	return c.call(cmd.Context(), method, params)
}
