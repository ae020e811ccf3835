package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rpchost/rpchost/abi"
)

func newHistoryCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history NAME",
		Short: "Show a plugin's version log (plugins.history)",
		Long: `Show a plugin's version log, newest first: each upload, removal and
rollback, its sha256, who made it and from which replica. The server keeps
the last deploy.keep_versions entries. Needs the admin token and finds the
server as upload does.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := adminCall(cmd, "plugins.history", args[0])
			if err != nil {
				return err
			}
			entries, _ := v.([]any)
			if len(entries) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%s has no version log\n", strings.TrimSuffix(args[0], ".wasm"))
				return nil
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "VERSION\tACTION\tSHA256\tSIGNED\tSIZE\tBY\tFROM\tAT")
			for _, e := range entries {
				s, _ := e.(abi.Struct)
				fmt.Fprintln(w, historyRow(s))
			}
			return w.Flush()
		},
	}
	addClientFlags(cmd, true)
	return cmd
}

func historyRow(s abi.Struct) string {
	get := func(k string) any { x, _ := s.Get(k); return x }
	sha, _ := get("sha256").(string)
	if len(sha) > 12 {
		sha = sha[:12]
	}
	if sha == "" {
		sha = "-"
	}
	at := fmt.Sprint(get("at"))
	if t, ok := get("at").(time.Time); ok {
		at = t.UTC().Format(time.RFC3339)
	}
	signed := "no"
	if b, _ := get("signed").(bool); b {
		signed = "yes"
	} else if sha == "-" {
		signed = "-" // a removal: no module
	}
	return fmt.Sprintf("%v\t%v\t%s\t%s\t%v\t%v\t%v\t%s", get("version"), get("action"), sha, signed, get("size"), get("by"), get("from"), at)
}

func newRollbackCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollback NAME [VERSION]",
		Short: "Serve an earlier version of a plugin again (plugins.rollback)",
		Long: `Serve an earlier version of a plugin again: VERSION as rpchost history
lists it, or, without one, the latest earlier version whose module differs
from the one served. The rollback is a new entry of the version log and, with
deploy.dsn, reaches every replica. Needs the admin token and finds the server
as upload does.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			params := []any{args[0]}
			if len(args) == 2 {
				n, err := strconv.ParseInt(strings.TrimPrefix(args[1], "v"), 10, 64)
				if err != nil || n < 1 {
					return fmt.Errorf("version %q: want a version number as rpchost history lists it", args[1])
				}
				params = append(params, n)
			}
			v, err := adminCall(cmd, "plugins.rollback", params...)
			if err != nil {
				return err
			}
			s, _ := v.(abi.Struct)
			get := func(k string) any { x, _ := s.Get(k); return x }
			fmt.Fprintf(cmd.OutOrStdout(), "rolled back %s: now version %v, sha256 %v\n", strings.TrimSuffix(args[0], ".wasm"), get("version"), get("sha256"))
			return nil
		},
	}
	addClientFlags(cmd, true)
	return cmd
}
