package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/regularfile"
)

func newInspectCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inspect [flags] FILE.wasm",
		Short: "Say what rpchost would do with a module, without serving it",
		Long: `Load a module as serve would, with the loader's own checks, and print what
it found: ABI v1 or numeric exports, every method with its signatures and help,
the imports and the grants they need, the memory it declares and what
limits.memory_mib does to it, its size, SHA-256 and compile time, and every
problem that would refuse it, in the words the server would log.

The module's set-up code and rpchost_describe run (in the sandbox, under
limits.load_timeout) unless a problem keeps it from being instantiated.
The settings that change the verdict are read as serve reads them
(./config.yaml, --config, RPCHOST_*): the plugin's limits, plugin.<name>.grants
(or --grants) and whether store.driver is off. The plugin name is the file's
name without .wasm (or --name). No store is opened and nothing is written.

Exits with status 0 when the module would be served, 1 when it would be
refused, 2 when it could not be inspected (no such file, a bad setting).`,
		Example: `  rpchost inspect plugins/add.wasm
  rpchost inspect --json plugins/records.wasm
  rpchost inspect --grants log,time counter.wasm`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInspect(cmd, args[0])
		},
	}
	cmd.Flags().Bool("json", false, "print the inspection as JSON")
	cmd.Flags().String("name", "", "the plugin name to judge the module as (default: the file's name without .wasm)")
	cmd.Flags().StringSlice("grants", nil, "the capabilities the plugin is granted, comma-separated: some of log, kv, config, time (default: plugin.<name>.grants, else all)")
	return cmd
}

// errRefused is runInspect's error for a module that would be refused,
// after its report is printed: main exits 1 for it.
type errRefused struct {
	file     string
	problems int
}

func (e *errRefused) Error() string {
	return fmt.Sprintf("%s would be refused (%d %s)", e.file, e.problems, plural(e.problems, "problem", "problems"))
}

func runInspect(cmd *cobra.Command, file string) error {
	s, err := loadSettings(cmd)
	if err != nil {
		return err
	}
	logger, err := s.logger()
	if err != nil {
		return err
	}
	cfg, err := s.hostConfig(logger)
	if err != nil {
		return err
	}
	name, _ := cmd.Flags().GetString("name")
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(file), ".wasm")
	}
	if cmd.Flags().Changed("grants") {
		grants, _ := cmd.Flags().GetStringSlice("grants")
		cfg = cfg.WithPluginGrants(name, grants)
	}
	// Read as the loader reads a plugin file: a regular file (a FIFO
	// would block for good, /dev/zero never end), at most
	// host.MaxModuleFileBytes; the structural limits and load_timeout
	// bound what it costs to judge.
	wasm, err := regularfile.Read(file, host.MaxModuleFileBytes)
	if err != nil {
		return err
	}
	in, err := host.Inspect(cmd.Context(), cfg, name, wasm)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		err = writeInspectionJSON(out, file, in)
	} else {
		grantsFrom := "plugin." + in.Name + ".grants"
		if cmd.Flags().Changed("grants") {
			grantsFrom = "--grants"
		}
		err = writeInspection(out, file, grantsFrom, in)
	}
	if err != nil {
		return err
	}
	if !in.Loads() {
		return &errRefused{file: file, problems: len(in.Problems)}
	}
	return nil
}

// writeInspection prints an inspection for a person; grantsFrom says
// where its grants came from.
func writeInspection(w io.Writer, file, grantsFrom string, in *host.Inspection) error {
	var b strings.Builder
	row := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-9s %s\n", label, fmt.Sprintf(format, args...))
	}
	row("file", "%s (%d bytes)", file, in.Size)
	row("sha256", "%s", in.SHA256)
	row("plugin", "%s", in.Name)
	switch in.Kind {
	case "sdk":
		switch in.ABIVersion {
		case abi.Version:
			row("kind", "ABI v%d module (exports rpchost_abi_version)", in.ABIVersion)
		case 0:
			row("kind", "ABI module (exports rpchost_abi_version, which did not run or failed)")
		default:
			row("kind", "ABI v%d module; this rpchost speaks version %d", in.ABIVersion, abi.Version)
		}
	case "numeric":
		row("kind", "numeric exports (no rpchost_abi_version): each function of i32/i64/f32/f64 is a method")
	default:
		row("kind", "unknown: the module did not compile")
	}
	row("compile", "%v", in.CompileTime.Round(time.Millisecond))
	m := in.Memory
	switch {
	case !m.Declared:
		row("memory", "%s", m.Effect)
	case m.HasMax:
		row("memory", "%s min %s, max %s: %s", importedOr(m.Imported), pages(m.MinPages), pages(m.MaxPages), m.Effect)
	default:
		row("memory", "%s min %s, %s", importedOr(m.Imported), pages(m.MinPages), m.Effect)
	}
	if len(in.Imports) == 0 {
		row("imports", "none")
	}
	for i, line := range importLines(in.Imports) {
		label := ""
		if i == 0 {
			label = "imports"
		}
		row(label, "%s", line)
	}
	row("grants", "%s (%s)", strings.Join(in.Grants, ", "), grantsFrom)
	switch {
	case len(in.Methods) > 0:
		row("methods", "%d", len(in.Methods))
		for _, meth := range in.Methods {
			for _, sig := range meth.Signatures {
				fmt.Fprintf(&b, "  %s.%s\n", in.Name, signatureText(meth.Name, sig))
			}
			if len(meth.Signatures) == 0 {
				fmt.Fprintf(&b, "  %s.%s (no signature declared)\n", in.Name, meth.Name)
			}
			if meth.Help != "" {
				fmt.Fprintf(&b, "      %s\n", strings.ReplaceAll(meth.Help, "\n", "\n      "))
			}
		}
	case !in.Ran:
		row("methods", "unknown: its code was not run, because of the problems below")
	default:
		row("methods", "unknown: its code failed (below)")
	}
	if in.Loads() {
		row("verdict", "served, as %s.<method> (%d %s)", in.Name, len(in.Methods), plural(len(in.Methods), "method", "methods"))
	} else {
		row("verdict", "refused, %d %s:", len(in.Problems), plural(len(in.Problems), "problem", "problems"))
		for _, p := range in.Problems {
			fmt.Fprintf(&b, "  - %s\n", strings.ReplaceAll(p, "\n", "\n    "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// importLines lists the imports a module per line, each name once: the
// WASI functions together, each capability with the grant it needs.
func importLines(imports []host.InspectedImport) []string {
	var lines, wasi []string
	seen := map[string]bool{}
	for _, imp := range imports {
		key := imp.Module + "." + imp.Name
		if seen[key] {
			continue
		}
		seen[key] = true
		switch {
		case imp.Module == "wasi_snapshot_preview1":
			wasi = append(wasi, imp.Name)
		case imp.Grant != "":
			lines = append(lines, fmt.Sprintf("%s (needs the %q grant)", key, imp.Grant))
		default:
			lines = append(lines, key)
		}
	}
	if len(wasi) > 0 {
		lines = append([]string{"wasi_snapshot_preview1: " + strings.Join(wasi, ", ")}, lines...)
	}
	return lines
}

func pages(n uint64) string {
	return fmt.Sprintf("%d %s", n, plural(int(min(n, 2)), "page", "pages"))
}

func importedOr(imported bool) string {
	if imported {
		return "imported,"
	}
	return "declared"
}

// signatureText writes an XML-RPC signature (the result first) as
// name(params) → result.
func signatureText(name string, sig []string) string {
	if len(sig) == 0 {
		return name + "()"
	}
	return name + "(" + strings.Join(sig[1:], ", ") + ") → " + sig[0]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// inspectionJSON is --json's shape, in the snake_case of the admin API.
type inspectionJSON struct {
	File           string       `json:"file"`
	Name           string       `json:"name"`
	Size           int          `json:"size"`
	SHA256         string       `json:"sha256"`
	Kind           string       `json:"kind"`                  // "sdk", "numeric" or "" (did not compile)
	ABIVersion     int          `json:"abi_version,omitempty"` // absent when it did not run
	CompileSeconds float64      `json:"compile_seconds"`
	Memory         memoryJSON   `json:"memory"`
	Imports        []importJSON `json:"imports"`
	Grants         []string     `json:"grants"`
	Ran            bool         `json:"ran"`
	Methods        []methodJSON `json:"methods"`
	Loads          bool         `json:"loads"`
	Problems       []string     `json:"problems"`
}

type memoryJSON struct {
	Declared   bool    `json:"declared"`
	Imported   bool    `json:"imported"`
	MinPages   uint64  `json:"min_pages"`
	MaxPages   *uint64 `json:"max_pages"` // null when no maximum is declared
	LimitPages uint32  `json:"limit_pages"`
	Effect     string  `json:"effect"`
}

type importJSON struct {
	Module string `json:"module"`
	Name   string `json:"name"`
	Grant  string `json:"grant,omitempty"`
}

type methodJSON struct {
	Name       string     `json:"name"`
	Help       string     `json:"help"`
	Signatures [][]string `json:"signatures"`
}

func writeInspectionJSON(w io.Writer, file string, in *host.Inspection) error {
	j := inspectionJSON{File: file, Name: in.Name, Size: in.Size, SHA256: in.SHA256, Kind: in.Kind, ABIVersion: in.ABIVersion,
		CompileSeconds: in.CompileTime.Seconds(), Grants: in.Grants, Ran: in.Ran, Loads: in.Loads(),
		Imports: []importJSON{}, Methods: []methodJSON{}, Problems: []string{}}
	m := in.Memory
	j.Memory = memoryJSON{Declared: m.Declared, Imported: m.Imported, MinPages: m.MinPages, LimitPages: m.LimitPages, Effect: m.Effect}
	if m.HasMax {
		j.Memory.MaxPages = &m.MaxPages
	}
	for _, imp := range in.Imports {
		j.Imports = append(j.Imports, importJSON(imp))
	}
	for _, meth := range in.Methods {
		sigs := meth.Signatures
		if sigs == nil {
			sigs = [][]string{}
		}
		j.Methods = append(j.Methods, methodJSON{Name: meth.Name, Help: meth.Help, Signatures: sigs})
	}
	j.Problems = append(j.Problems, in.Problems...)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}
