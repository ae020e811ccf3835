package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rpchost/rpchost/host"
)

// applyYAML applies a configuration file. Every key must be known, except
// inside plugin.<name>.config; each error names the file and the line.
func (s *settings) applyYAML(file string, data []byte) []error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return []error{fmt.Errorf("%s%s", file, yamlError(err))}
	}
	if len(doc.Content) == 0 { // an empty file, or only comments
		return nil
	}
	w := fileWalker{s: s, file: file}
	w.section(doc.Content[0], "")
	return w.errs
}

type fileWalker struct {
	s    *settings
	file string
	errs []error
}

func (w *fileWalker) fail(n *yaml.Node, format string, args ...any) {
	w.errs = append(w.errs, fmt.Errorf("%s:%d: "+format, append([]any{w.file, n.Line}, args...)...))
}

// pairs returns a mapping's key and value nodes, refusing a key given
// twice (YAML forbids it; a silent "last one wins" hides mistakes). name
// is the mapping's own key, for messages.
func (w *fileWalker) pairs(n *yaml.Node, name string) [][2]*yaml.Node {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		if name == "" {
			name = "the configuration"
		}
		w.fail(n, "%s: want a mapping of keys, not %s", name, describeNode(n))
		return nil
	}
	seen := map[string]int{}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		lower := strings.ToLower(k.Value)
		if line, dup := seen[lower]; dup {
			w.fail(k, "%s is given twice (first on line %d)", join(name, k.Value), line)
			continue
		}
		seen[lower] = k.Line
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

// section walks a mapping whose keys are prefix + their name. Keys match
// case-insensitively, as they always have.
func (w *fileWalker) section(n *yaml.Node, prefix string) {
	for _, kv := range w.pairs(n, strings.TrimSuffix(prefix, ".")) {
		k, v := kv[0], kv[1]
		name := prefix + strings.ToLower(k.Value)
		switch {
		case name == "plugin":
			w.plugins(v)
		case name == "auth.callers":
			w.callers(v) // a mapping of callers (config_callers.go)
		case keyNamed(name) != nil:
			key := keyNamed(name)
			val, err := nodeValue(v, key.kind, key.min, key.max, key.why)
			if err == nil && key.check != nil {
				err = key.check(val)
			}
			if err != nil {
				w.fail(v, "%s: %v", name, err)
				continue
			}
			key.set(w.s, val)
		case isSection(name):
			w.section(v, name+".")
		default:
			w.fail(k, "unknown key %s%s", name, suggestion(name, knownNames()))
		}
	}
}

// plugins walks plugin: a mapping of plugin names to their keys.
func (w *fileWalker) plugins(n *yaml.Node) {
	for _, kv := range w.pairs(n, "plugin") {
		nameNode, body := kv[0], kv[1]
		// Lower case, as from the environment: the host matches plugin
		// names case-insensitively, so "Up" and "up" are one plugin.
		plugin := strings.ToLower(nameNode.Value)
		if err := host.CheckPluginName(plugin); err != nil {
			w.fail(nameNode, "plugin.%s: no plugin can have this name: %v", nameNode.Value, err)
			continue
		}
		prefix := "plugin." + plugin + "."
		for _, kv := range w.pairs(body, "plugin."+plugin) {
			k, v := kv[0], kv[1]
			name := strings.ToLower(k.Value)
			if name == "config" {
				w.pluginConfig(plugin, v)
				continue
			}
			pk, ok := pluginKeyNamed(name)
			if !ok {
				w.fail(k, "unknown key %s%s%s", prefix, k.Value, suggestion(name, pluginKeyNames(), prefix))
				continue
			}
			val, err := nodeValue(v, pk.kind, pk.min, pk.max, pk.why)
			if err != nil {
				w.fail(v, "%s%s: %v", prefix, name, err)
				continue
			}
			w.s.cfg = pk.set(w.s.cfg, plugin, val)
		}
	}
}

// pluginConfig reads plugin.<name>.config, the one free-form section: the
// plugin reads it with config_get, and only the plugin knows its keys.
func (w *fileWalker) pluginConfig(plugin string, n *yaml.Node) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		w.fail(n, "plugin.%s.config: want a mapping, not %s", plugin, describeNode(n))
		return
	}
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		w.fail(n, "plugin.%s.config: %s", plugin, strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	w.s.cfg = w.s.cfg.WithPluginConfig(plugin, m)
}

// nodeValue parses a leaf node as a value of kind k.
func nodeValue(n *yaml.Node, k kind, min, max int64, why string) (any, error) {
	n = resolve(n)
	if k == kindList {
		switch {
		case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
			return []string{}, nil
		case n.Kind != yaml.SequenceNode:
			return nil, fmt.Errorf("want a list, like [a, b], not %s", describeNode(n))
		}
		out := make([]string, 0, len(n.Content))
		for _, e := range n.Content {
			e = resolve(e)
			if e.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("list elements must be single values, not %s", describeNode(e))
			}
			out = append(out, e.Value)
		}
		return out, nil
	}
	if n.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("want a single value, not %s", describeNode(n))
	}
	if n.Tag == "!!null" {
		if k == kindString {
			return "", nil
		}
		return nil, fmt.Errorf("no value given")
	}
	v, err := parseValue(n.Value, k)
	if err != nil {
		return nil, err
	}
	return v, checkRange(v, min, max, why)
}

// resolve follows a YAML alias (*name) to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return strconv.Quote(n.Value)
}

// isSection says whether name.<something> is a key.
func isSection(name string) bool {
	for _, k := range keys {
		if strings.HasPrefix(k.name, name+".") {
			return true
		}
	}
	return false
}

func pluginKeyNamed(name string) (pluginKey, bool) {
	for _, p := range pluginKeyList() {
		if p.name == name {
			return p, true
		}
	}
	return pluginKey{}, false
}

func pluginKeyNames() []string {
	out := []string{"config"}
	for _, p := range pluginKeyList() {
		out = append(out, p.name)
	}
	return out
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the messages of go-yaml's parser (as opposed to
// its scanner). For these, go-yaml reports the line of the mark it keeps
// counting from 0 and does not add 1 as it does for scanner errors
// (yaml.v3's parser.fail), so its message names the line above the
// mistake. The list is parserc.go's, whole.
var yamlParserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// yamlError words a go-yaml error as ":N: problem", to follow a file name,
// with N counted from 1 whichever part of go-yaml found it.
func yamlError(err error) string {
	msg := err.Error()
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		problem := strings.TrimPrefix(msg, "yaml: ")
		if isParserProblem(problem) { // reported without a line: it was line 0, the first
			return ":1: " + problem
		}
		return ": " + problem
	}
	line, _ := strconv.Atoi(m[1])
	if isParserProblem(m[2]) {
		line++
	}
	return ":" + strconv.Itoa(line) + ": " + m[2]
}

func isParserProblem(p string) bool {
	for _, q := range yamlParserProblems {
		if strings.HasPrefix(p, q) {
			return true
		}
	}
	return false
}
