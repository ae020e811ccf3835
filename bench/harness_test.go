package main

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
	"time"
)

func TestListeningLine(t *testing.T) {
	for line, addr := range map[string]string{
		`time=2026-11-25T10:00:00.000Z level=INFO msg=listening addr=127.0.0.1:40123 url=http://127.0.0.1:40123/ plugins=4 startup=152ms`: "127.0.0.1:40123",
		`msg=listening addr=127.0.0.1:5000`: "127.0.0.1:5000",
	} {
		m := listeningRE.FindStringSubmatch(line)
		if m == nil || m[1] != addr {
			t.Errorf("%q: got %v, want %s", line, m, addr)
		}
	}
	if listeningRE.MatchString(`level=INFO msg="plugin loaded" plugin=add`) {
		t.Error("a plugin line is taken for the listening line")
	}
	line := `time=x level=INFO msg="plugin reloaded" plugin=x version=2 kind=sdk duration=612.5ms startup=152ms`
	if got := logField(line, "duration"); got != "612.5ms" {
		t.Errorf("duration = %q", got)
	}
	if got := logField(line, "plugin"); got != "x" {
		t.Errorf("plugin = %q", got)
	}
	if got := logField(line, "nothing"); got != "" {
		t.Errorf("missing field = %q", got)
	}
}

func TestLineLog(t *testing.T) {
	l := &lineLog{max: 4}
	before := time.Now()
	l.Write([]byte("one\ntw"))
	l.Write([]byte("o\nthree\n"))
	if got, ok := l.find(before, "tw"); !ok || got.text != "two" {
		t.Errorf("find = %q, %v", got.text, ok)
	}
	for _, s := range []string{"4", "5", "6"} {
		l.add(s)
	}
	if got := l.tail(10); got != "  three\n  4\n  5\n  6\n" && got != "  5\n  6\n" {
		t.Errorf("tail after overflow = %q", got)
	}
	if _, ok := l.find(time.Now().Add(time.Hour), "6"); ok {
		t.Error("find returned a line older than since")
	}
}

func TestParseBench(t *testing.T) {
	out := `goos: linux
BenchmarkDispatchHTTP/sdk-add-2   	  122352	      9221 ns/op	  20.28 MB/s	     915 B/op	      20 allocs/op
BenchmarkDispatchHTTP/sdk-add-2   	  132916	      7984 ns/op	  23.42 MB/s	     910 B/op	      20 allocs/op
BenchmarkDispatchDirect/numeric-add-notimeout-2         	  760230	      1611 ns/op	 121.03 MB/s	     232 B/op	       6 allocs/op
PASS
`
	rows, err := parseBench(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Name != "BenchmarkDispatchHTTP/sdk-add" || !slices.Equal(rows[0].NsPerOp, []float64{9221, 7984}) ||
		rows[0].BytesPerOp != 915 || rows[0].AllocsPerOp != 20 || rows[1].Name != "BenchmarkDispatchDirect/numeric-add-notimeout" {
		t.Errorf("parsed %+v", rows)
	}
	if _, err := parseBench("FAIL\n"); err == nil {
		t.Error("output without results parsed")
	}
}

func TestDistinctAppendsACustomSection(t *testing.T) {
	wasm := []byte("\x00asm\x01\x00\x00\x00")
	a, b := distinct(wasm, "p000"), distinct(wasm, "p001")
	if bytes.Equal(a, b) || !bytes.HasPrefix(a, wasm) || len(wasm) != 8 {
		t.Fatal("copies are not distinct, or the original changed")
	}
	rest := a[len(wasm):]
	if rest[0] != 0 {
		t.Fatalf("section id %d, want 0 (custom)", rest[0])
	}
	size, n := binary.Uvarint(rest[1:])
	if int(size) != len(rest)-1-n {
		t.Errorf("section size %d, but %d bytes follow", size, len(rest)-1-n)
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-only", "throughput, micro", "-concurrency", "1,8", "-distinct-counts", ""})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.only, []string{"throughput", "micro"}) || !slices.Equal(o.concurrency, []int{1, 8}) || len(o.distinctCounts) != 0 {
		t.Errorf("parsed %+v", o)
	}
	for _, bad := range [][]string{{"-only", "everything"}, {"-concurrency", "0"}, {"-duration", "0s"}, {"extra"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestWithoutRPCHostVars(t *testing.T) {
	got := withoutRPCHostVars([]string{"PATH=/bin", "RPCHOST_LISTEN=:1", "HOME=/root"})
	if !slices.Equal(got, []string{"PATH=/bin", "HOME=/root"}) {
		t.Errorf("got %q", got)
	}
}
