package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
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
