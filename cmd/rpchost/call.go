package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

func newCallCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "call METHOD [ARG...]",
		Short: "Call a procedure and print its result",
		Long: `Call any procedure. Arguments are read as values: 3 is an int, 1.5 a
double, true/false a boolean, JSON [...] an array and {...} a struct;
anything else is a string (quote it in JSON, "\"3\"", to send digits as a
string). The result is printed as JSON; a fault exits with status 1.`,
		Example: `  rpchost call add 3 4
  rpchost call add hello world
  rpchost call validator1.easyStructTest '{"moe":1,"larry":2,"curly":3}'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			params := make([]any, len(args)-1)
			for i, a := range args[1:] {
				v, err := parseArg(a)
				if err != nil {
					return fmt.Errorf("argument %d: %w", i+1, err)
				}
				params[i] = v
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			var result any
			if err := c.Call(args[0], params, &result); err != nil {
				server, _ := cmd.Flags().GetString("server")
				return callErr(server, args[0], err)
			}
			return printJSON(cmd, result)
		},
	}
	addClientFlags(cmd, false)
	return cmd
}

// parseArg reads a command-line word as the value a person means by it.
func parseArg(s string) (any, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && strings.ContainsAny(s, ".eE") {
		return f, nil
	}
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") || strings.HasPrefix(t, `"`) {
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%q looks like JSON but is not: %w", s, err)
		}
		return fromJSON(v), nil
	}
	return s, nil
}

// fromJSON turns json.Number into int64 or float64, recursively.
func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = fromJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = fromJSON(x[k])
		}
	}
	return v
}

func printJSON(cmd *cobra.Command, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := cmd.OutOrStdout().Write(buf.Bytes())
	return err
}
