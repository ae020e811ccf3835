package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/internal/xmlrpc"
)

func TestBaselineBuildCommands(t *testing.T) {
	cur := &build{name: "rpchost", root: "/repo"}
	base := &build{name: "baseline", rev: "e401e67", root: "/tmp/b/baseline-src"}
	got := buildsOf(base, "/tmp/b/bin/baseline", false)
	if len(got) != 2 {
		t.Fatalf("baseline builds %+v, want the server and the sum plugin", got)
	}
	for _, gb := range got {
		if gb.dir != base.root || !strings.HasPrefix(gb.out, "/tmp/b/bin/baseline/") {
			t.Errorf("%+v is not built in the baseline's tree into its own directory", gb)
		}
	}
	if c := strings.Join(got[0].command(), " "); c != "go build -trimpath -o /tmp/b/bin/baseline/rpchost ./cmd/rpchost" {
		t.Errorf("server: %q", c)
	}
	if c := strings.Join(got[1].command(), " "); c != "go build -buildmode=c-shared -trimpath -o /tmp/b/bin/baseline/sum.wasm ./bench/guests/sum" ||
		!slices.Equal(got[1].env, []string{"GOOS=wasip1", "GOARCH=wasm"}) {
		t.Errorf("sum plugin: %q %q", c, got[1].env)
	}
	if all := buildsOf(cur, "/tmp/b/bin", true); len(all) != 3 || all[2].pkg != "./bench/ceiling" || all[2].dir != "/repo" {
		t.Errorf("working tree builds %+v, want the ceiling too", all)
	}
	if base.shipped("add") != "/tmp/b/baseline-src/plugins/add.wasm" {
		t.Errorf("the baseline's plugins come from %s", base.shipped("add"))
	}

	a, x := extractCommands("/repo", "e401e67", "/tmp/b/baseline-src")
	if strings.Join(a, " ") != "git -C /repo archive --format=tar e401e67^{tree}" || strings.Join(x, " ") != "tar -x -C /tmp/b/baseline-src" {
		t.Errorf("extract: %q | %q", a, x)
	}
	for _, bad := range []string{"", "--output=/etc/passwd", "-h", "a b", "x\ny"} {
		if checkRev(bad) == nil {
			t.Errorf("-baseline %q accepted", bad)
		}
	}
	for _, good := range []string{"e401e67", "HEAD~3", "main", "v1.2.0"} {
		if err := checkRev(good); err != nil {
			t.Errorf("-baseline %q: %v", good, err)
		}
	}
	if _, err := parseFlags([]string{"-baseline", "-x"}); err == nil {
		t.Error("-baseline -x accepted")
	}
	o, err := parseFlags([]string{"-baseline", "e401e67", "-baseline-plugin-counts", "1,10"})
	if err != nil || o.baseline != "e401e67" || !slices.Equal(o.baselineCounts, []int{1, 10}) || !slices.Equal(o.pluginCounts, []int{1, 10, 100, 1000}) {
		t.Errorf("parsed %+v, %v", o, err)
	}
}

func TestMicroCommands(t *testing.T) {
	if c := strings.Join(microCompile("./host", "/tmp/b/bin/baseline-host.test"), " "); c != "go test -c -o /tmp/b/bin/baseline-host.test ./host" {
		t.Errorf("compile: %q", c)
	}
	c := microRun("/x.test", "2s")
	if c[0] != "/x.test" || !slices.Contains(c, "-test.benchmem") || c[slices.Index(c, "-test.count")+1] != "1" || c[slices.Index(c, "-test.benchtime")+1] != "2s" {
		t.Errorf("run: %q", c)
	}
	rows := mergeBench(nil, []microRow{{Name: "A", NsPerOp: []float64{1}, AllocsPerOp: 2}, {Name: "B", NsPerOp: []float64{5}}})
	rows = mergeBench(rows, []microRow{{Name: "B", NsPerOp: []float64{6}, BytesPerOp: 8}, {Name: "A", NsPerOp: []float64{3}, AllocsPerOp: 1}})
	if len(rows) != 2 || rows[0].Name != "A" || !slices.Equal(rows[0].NsPerOp, []float64{1, 3}) || rows[0].AllocsPerOp != 2 ||
		!slices.Equal(rows[1].NsPerOp, []float64{5, 6}) || rows[1].BytesPerOp != 8 {
		t.Errorf("merged %+v", rows)
	}
}

func TestPerPluginAndPercentile(t *testing.T) {
	rows := []pluginsRow{
		{Build: "rpchost", Plugins: 1, Kind: "identical copies, warm cache", RSSReady: 40 << 20, RSSCalled: 41 << 20, CodeCalled: 10 << 20},
		{Build: "baseline", Plugins: 1, Kind: "identical copies, warm cache", RSSReady: 44 << 20, RSSCalled: 44 << 20},
		{Build: "rpchost", Plugins: 11, Kind: "identical copies, warm cache", RSSReady: 45 << 20, RSSCalled: 61 << 20, CodeCalled: 10 << 20},
		{Build: "baseline", Plugins: 11, Kind: "identical copies, warm cache", RSSReady: 94 << 20, RSSCalled: 94 << 20},
		{Build: "rpchost", Plugins: 11, Kind: "distinct copies, warm cache", RSSReady: 140 << 20, RSSCalled: 241 << 20, CodeCalled: 70 << 20},
	}
	perPlugin(rows)
	if rows[0].PerIdle != 0 || rows[2].PerIdle != 512<<10 || rows[2].PerPlugin != 2<<20 || rows[3].PerIdle != 5<<20 {
		t.Errorf("identical: %+v", rows)
	}
	if rows[4].PerPlugin != 20<<20 || rows[4].PerCode != 6<<20 {
		t.Errorf("distinct against the identical 1-plugin row: %+v", rows[4])
	}
	s := whereDistinctMemoryGoes(rows)
	for _, want := range []string{"20.0 MiB per distinct plugin against 2.00 MiB per identical copy", "so 18.0 MiB is its own compiled module", "6.00 MiB is resident machine code", "12.0 MiB the rest"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
	for b, want := range map[int64]string{0: "0 MiB", -1000: "0 MiB", 4 << 10: "0 MiB", -2 << 20: "−2.00 MiB", 3 << 20: "3.00 MiB"} {
		if got := signedMiB(b); got != want {
			t.Errorf("signedMiB(%d) = %q, want %q", b, got, want)
		}
	}
	if perCode(rows[0]) != "–" || perCode(rows[2]) != "0 MiB" || perCode(rows[4]) != "6.00 MiB" {
		t.Errorf("code per extra plugin: %q %q %q", perCode(rows[0]), perCode(rows[2]), perCode(rows[4]))
	}
	ds := []time.Duration{5, 1, 4, 2, 3}
	for p, want := range map[float64]time.Duration{50: 3, 99: 5, 0: 1, 100: 5} {
		if got := percentile(ds, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if percentile(nil, 50) != 0 {
		t.Error("percentile of nothing")
	}
}

func TestCodeRSS(t *testing.T) {
	smaps := `00400000-00800000 r-xp 00000000 08:01 1234    /tmp/rpchost
Size:               4096 kB
Rss:                3000 kB
VmFlags: rd ex mr mw me dw
00800000-00900000 rw-p 00000000 00:00 0
Rss:                 900 kB
7f0000000000-7f0000100000 r-xp 00000000 00:00 0
Rss:                1000 kB
7f0000100000-7f0000200000 ---p 00000000 00:00 0
Rss:                   0 kB
`
	got, err := codeRSS(smaps)
	if err != nil || got != 4000<<10 {
		t.Errorf("codeRSS = %d, %v; want the two executable mappings, 4000 kB", got, err)
	}
	if _, err := codeRSS("00400000-00800000 r-xp 0 0 0\nRss: many kB\n"); err == nil {
		t.Error("a malformed Rss line was accepted")
	}
}

func TestEchoChecker(t *testing.T) {
	body := echoBody()
	if !bytes.Contains(body, []byte("<methodName>types.echo</methodName>")) || bytes.Contains(body, []byte("records.ingest")) {
		t.Fatalf("the echo request is not types.echo: %.120s", body)
	}
	c, err := newEchoChecker(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := xmlrpc.ParseRequest(body, xmlrpc.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	good, err := xmlrpc.AppendResponse(nil, req.Params[0])
	if err != nil {
		t.Fatal(err)
	}
	// Another batch's readings: the same shape, other ids and values.
	other, err := xmlrpc.ParseRequest(newIngestBatch(7).body, xmlrpc.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := xmlrpc.AppendResponse(nil, other.Params[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.check(wrong); err == nil {
		t.Error("an echo of other readings passed")
	}
	if err := c.check([]byte("<methodResponse><fault/></methodResponse>")); err == nil {
		t.Error("a fault passed")
	}
	if err := c.check(good); err != nil {
		t.Fatalf("the real echo failed: %v", err)
	}
	if err := c.check(good); err != nil {
		t.Errorf("the same echo again failed: %v", err)
	}
	if err := c.check(wrong); err == nil {
		t.Error("after a verified echo, other bytes passed")
	}
}

// The baseline's servers run beside the working tree's: they must not
// share a working directory, where the default store, data/, lives.
func TestBaselineServersHaveTheirOwnDirectory(t *testing.T) {
	w := &workspace{tmp: "/tmp/b", baseDir: "/tmp/b/baseline-run",
		cur: &build{name: "rpchost", rpchost: "/tmp/b/bin/rpchost"}, base: &build{name: "baseline", rpchost: "/tmp/b/bin/baseline/rpchost"}}
	cur, base := w.rpchostSpecOf(w.cur, "rpchost", "/p", "/c"), w.rpchostSpecOf(w.base, "baseline", "/p", "/c")
	if cur.dir == base.dir || cur.path == base.path || base.path != "/tmp/b/bin/baseline/rpchost" {
		t.Errorf("working tree %+v, baseline %+v", cur, base)
	}
}
