package conformance_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// methodSpec is one method as introspection reports it.
type methodSpec struct {
	name       string
	help       string
	signatures [][]string // nil: none declared
}

// contract reads the manifest conformance/README.md specifies, method by
// method, from its table: the text SDK authors implement is the one the
// suite checks, with no second copy to fall out of step. The host serves
// each method as "conf.<name>".
func contract(t *testing.T) []methodSpec {
	t.Helper()
	text, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatalf("read the contract: %v", err)
	}
	const heading = "## The methods every conformance guest exports"
	_, table, ok := strings.Cut(string(text), heading)
	if !ok {
		t.Fatalf("conformance/README.md has no section %q", heading)
	}
	table, _, _ = strings.Cut(table, "\n## ")
	sigRE := regexp.MustCompile("`\\[([^\\]`]*)\\]`")
	var specs []methodSpec
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cells) != 5 {
			t.Fatalf("conformance/README.md: a row of %d cells, want 5 (method, params, result, help, signatures): %s",
				len(cells), line)
		}
		spec := methodSpec{
			name: strings.Trim(strings.TrimSpace(cells[0]), "`"),
			help: strings.Trim(strings.TrimSpace(cells[3]), "`"),
		}
		sigs := strings.TrimSpace(cells[4])
		if sigs != "none" {
			for _, m := range sigRE.FindAllStringSubmatch(sigs, -1) {
				spec.signatures = append(spec.signatures, strings.Split(m[1], ", "))
			}
			if spec.signatures == nil {
				t.Fatalf("conformance/README.md: %s's signatures %q are neither none nor `[type, ...]`", spec.name, sigs)
			}
		}
		specs = append(specs, spec)
	}
	if len(specs) == 0 {
		t.Fatalf("conformance/README.md: no method in the table under %q", heading)
	}
	return specs
}

// The table as the suite reads it: the methods and a few of their cells,
// so that a change of the table's layout cannot make the suite check less.
func TestContractTableReads(t *testing.T) {
	specs := contract(t)
	if len(specs) < 15 {
		t.Errorf("the contract lists %d methods, want at least 15", len(specs))
	}
	want := map[string]methodSpec{
		"echo": {"echo", "Returns its param.", nil},
		"add": {"add", "Adds two values like Python's +.", [][]string{
			{"int", "int", "int"}, {"double", "double", "double"}, {"string", "string", "string"}, {"array", "array", "array"}}},
		"fault": {"fault", "Returns the fault it is asked for.", [][]string{{"nil", "int", "string"}}},
		"log":   {"log", "Logs a message.", [][]string{{"boolean", "string"}}},
	}
	for _, s := range specs {
		w, ok := want[s.name]
		if !ok {
			continue
		}
		delete(want, s.name)
		if d := diffManifests([]methodSpec{s}, []methodSpec{w}); d != "" {
			t.Errorf("read %s", d)
		}
	}
	for name := range want {
		t.Errorf("the contract has no method %s", name)
	}
}
