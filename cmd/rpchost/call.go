package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newCallCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "call [flags] METHOD [ARG...]",
		Short: "Call a procedure and print its result",
		Long: `Call any procedure. Flags go before METHOD, so that -1 after it is a value.

Arguments are read as values: 3 and -1 are ints (a whole number beyond 64
bits is an error), 1.5 and 3.0 doubles, true/false booleans, nil is nil,
JSON [...] an array and {...} a struct, and anything else a string. A
TYPE: prefix says the type: int:3 (or i4:), i8:3, double:3, bool:true,
str:3, datetime:2026-01-02T03:04:05Z, base64:aGk=, json:JSON. JSON is read
as the JSON-RPC front end reads it: a number with a fraction or exponent is
a double, null is nil, and {"__datetime__": "2026-01-02T03:04:05Z"} and
{"__base64__": "aGk="} stand for the types JSON lacks (the older
{"$datetime": ...}, {"$base64": ...}, {"$double": 3} and {"$int": 3} are
still read). --json reads every argument as JSON. A datetime's fraction of
a second is sent with as many digits as it has, and printed back.

The result is printed as the JSON-RPC front end writes it (3.0 stays a
double; wider than 80 characters, indented), so it can be given back as an
argument. The server is --server, else RPCHOST_SERVER,
else the listen address of the configuration serve reads here
(./config.yaml, --config, RPCHOST_*). A fault exits with status 1 and
prints its code; any other failure exits with status 2.`,
		Example: `  rpchost call add 3 4
  rpchost call add -1 2
  rpchost call add hello world
  rpchost call types.typeOf double:3
  rpchost call validator1.easyStructTest '{"moe":1,"larry":2,"curly":3}'
  rpchost call types.echo datetime:2026-01-02T03:04:05.123Z
  rpchost call --json records.ingest '[{"id":"r1","source":"a","at":{"__datetime__":"2026-01-02T03:04:05.123Z"},"value":1.5}]'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, _ := cmd.Flags().GetBool("json")
			params := make([]any, len(args)-1)
			for i, a := range args[1:] {
				var err error
				if asJSON {
					params[i], err = parseJSON(a)
				} else {
					params[i], err = parseArg(a)
				}
				if err != nil {
					return fmt.Errorf("argument %d: %w", i+1, err)
				}
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			result, err := c.call(cmd.Context(), args[0], params)
			if err != nil {
				return err
			}
			out, err := formatValue(result)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), out)
			return err
		},
	}
	addClientFlags(cmd, false)
	cmd.Flags().Bool("json", false, "read every argument as JSON, as the JSON-RPC front end reads it ({\"__datetime__\": ...}, {\"__base64__\": ...})")
	// Flags end at METHOD: after it, -1 is an argument, not a flag.
	cmd.Flags().SetInterspersed(false)
	return cmd
}
