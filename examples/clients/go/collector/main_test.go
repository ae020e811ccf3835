package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/testutil"
)

// The Go and Python collectors generate the same readings for the same
// seed, value for value, as README promises: both print them with --print,
// and the parsed lines must be equal.
func TestSameReadingsAsThePythonCollector(t *testing.T) {
	python := testutil.RequireTool(t, "python3")
	script, err := filepath.Abs("../../python/collector.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range []uint64{1, 7, 1 << 63} {
		const count = 3000
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, python, script, "--print", "--count", strconv.Itoa(count),
			"--seed", strconv.FormatUint(seed, 10)).Output()
		cancel()
		if err != nil {
			t.Fatalf("collector.py --print: %v", err)
		}
		var goOut bytes.Buffer
		if err := printReadings(&goOut, generate(count, seed, "seed"+strconv.FormatUint(seed, 10))); err != nil {
			t.Fatal(err)
		}
		py, gl := parseLines(t, out), parseLines(t, goOut.Bytes())
		if len(py) != count || len(gl) != count {
			t.Fatalf("seed %d: %d Python and %d Go readings, want %d", seed, len(py), len(gl), count)
		}
		negative := 0
		for i := range py {
			if !reflect.DeepEqual(py[i], gl[i]) {
				t.Fatalf("seed %d, reading %d differs:\nPython %v\nGo     %v", seed, i, py[i], gl[i])
			}
			if py[i]["value"].(float64) < 0 {
				negative++
			}
		}
		t.Logf("seed %d: %d identical readings, %d negative", seed, count, negative)
	}
}

func parseLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		out = append(out, m)
	}
	return out
}

// README's v2 walkthrough shows what the default run (seed 1, 10,000
// readings) gives under a rule refusing negative values: this keeps its
// figures tied to the generator.
func TestReadmeV2FiguresMatchTheGenerator(t *testing.T) {
	readme, err := os.ReadFile("../../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var negative []int
	for i, r := range generate(10000, 1, "seed1") {
		if r["value"].(float64) < 0 {
			negative = append(negative, i)
		}
	}
	want := fmt.Sprintf("stored %d, rejected %d", 10000-len(negative), len(negative))
	if !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not say %q", want)
	}
	for _, i := range negative[:3] {
		if line := fmt.Sprintf("# rejected reading %d: value must not be negative in v2", i); !strings.Contains(string(readme), line) {
			t.Errorf("README.md does not show %q", line)
		}
	}
	if more := fmt.Sprintf("... and %d more", len(negative)-20); !strings.Contains(string(readme), more) {
		t.Errorf("README.md does not say %q", more)
	}
}
