package main

import (
	"github.com/spf13/cobra"

	"github.com/rpchost/rpchost/host"
)

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "rpchost",
		Short: "Serve WebAssembly procedures over XML-RPC and JSON-RPC",
		Long: `rpchost answers XML-RPC and JSON-RPC calls with procedures compiled to WebAssembly.
Every *.wasm file in the plugin directory is loaded; its methods are served as
<plugin>.<method>, and under their bare name by the rule below.
Without a subcommand, rpchost serves.

Bare names:
` + host.BareNamesRule,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("config", "", "configuration file (default: ./config.yaml when present; env RPCHOST_CONFIG)")
	// Any non-empty Version makes cobra add --version; the template is
	// the whole text, so that it holds the commit and the ABI version.
	root.Version = "-"
	root.SetVersionTemplate(versionText())
	serve := newServeCommand()
	root.AddCommand(serve, newCallCommand(), newUploadCommand(), newRemoveCommand(), newListCommand(),
		newHistoryCommand(), newRollbackCommand(), newHashTokenCommand(), newKeygenCommand(), newSignCommand(),
		newInspectCommand())
	// Serving is what people run rpchost for, so it needs no subcommand.
	root.Flags().AddFlagSet(serve.Flags())
	root.RunE = serve.RunE
	return root
}
