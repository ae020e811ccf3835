package host

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// calls builds the param of a multicall: n calls of method with params.
func calls(n int, method string, params ...any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = abi.Struct{{Name: "methodName", Value: method}, {Name: "params", Value: params}}
	}
	return out
}

// tally counts a multicall's entries: results, and faults by code; it
// returns the first message seen for each code.
func tally(t *testing.T, v any) (ok int, faults map[int]int, says map[int]string) {
	t.Helper()
	entries, isArray := v.([]any)
	if !isArray {
		t.Fatalf("multicall returned %T, want an array", v)
	}
	faults, says = map[int]int{}, map[int]string{}
	for _, e := range entries {
		switch x := e.(type) {
		case []any:
			ok++
		case abi.Struct:
			code, _ := x.Get("faultCode")
			msg, _ := x.Get("faultString")
			c := int(code.(int64))
			faults[c]++
			if _, seen := says[c]; !seen {
				says[c] = msg.(string)
			}
		default:
			t.Fatalf("multicall entry %T", e)
		}
	}
	return ok, faults, says
}

func TestMulticallResultsAreBoundedTogether(t *testing.T) {
	const limit = 4096
	h, _ := newTestHost(t, map[string][]byte{"calc.wasm": fixture(t, "calc")},
		func(c Config) Config { return c.WithLimits(Limits{MaxResultBytes: limit}) })
	v, err := h.Call(context.Background(), multicallName, []any{calls(1000, "calc.add", int64(1), int64(2))})
	if err != nil {
		t.Fatal(err)
	}
	ok, faults, says := tally(t, v)
	t.Logf("1000 × calc.add with limits.max_result_bytes %d: %d results, %d × -32007 (%q …)", limit, ok, faults[CodeResultTooLarge], says[CodeResultTooLarge])
	if ok == 0 || ok+faults[CodeResultTooLarge] != 1000 || !strings.Contains(says[CodeResultTooLarge], "whole multicall") {
		t.Errorf("%d results, faults %v; want results until the bound, then -32007 saying it bounds the whole multicall", ok, faults)
	}
	// The results that were kept fit the bound, as the encoder writes them.
	entries := v.([]any)[:ok]
	b, err := xmlrpc.AppendResponse(nil, entries)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > limit+200 || len(b) < limit-200 {
		t.Errorf("the results kept encode to %d bytes; want about the bound, %d", len(b), limit)
	}
}

func TestXMLSizeIsWhatTheEncoderWrites(t *testing.T) {
	values := []any{
		nil, true, int64(7), int64(-1 << 40), int64(math.MinInt64), 0.1, -1e300, 3.0,
		"plain", "a<b & c>d\r\n", "", []byte("bytes!"), []byte{},
		[]any{int64(1), "two", []any{3.5, nil}},
		abi.Struct{{Name: "a&b", Value: int64(1)}, {Name: "nested", Value: abi.Struct{{Name: "x", Value: []any{}}}}},
	}
	for _, v := range values {
		b, err := xmlrpc.AppendResponse(nil, v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		empty, _ := xmlrpc.AppendResponse(nil, nil)
		want := len(b) - len(empty) + len("<nil/>")
		if got := xmlSize(v, math.MaxInt); got != want {
			t.Errorf("xmlSize(%#v) = %d, the encoder writes %d", v, got, want)
		}
	}
	// A dateTime is counted generously, never under what is written.
	b, _ := xmlrpc.AppendResponse(nil, time.Date(2026, 11, 27, 1, 2, 3, 456e6, time.UTC))
	empty, _ := xmlrpc.AppendResponse(nil, nil)
	if got, wrote := xmlSize(time.Now(), math.MaxInt), len(b)-len(empty)+len("<nil/>"); got < wrote {
		t.Errorf("a dateTime counts %d bytes; the encoder writes %d", got, wrote)
	}
	// The walk stops soon after passing max.
	huge := make([]any, 1_000_000)
	for i := range huge {
		huge[i] = "0123456789"
	}
	if got := xmlSize(huge, 1000); got <= 1000 || got > 1100 {
		t.Errorf("xmlSize(huge, 1000) = %d, want just over 1000", got)
	}
}

func TestMulticallCallsShareOneTimeLimit(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"hostile.wasm": fixture(t, "hostile")}, func(c Config) Config {
		return c.WithCallTimeout(300*time.Millisecond).WithPluginLimits("hostile", Limits{CallTimeout: 50 * time.Millisecond})
	})
	start := time.Now()
	v, err := h.Call(context.Background(), multicallName, []any{calls(100, "hostile.spin")})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	_, faults, _ := tally(t, v)
	entries := v.([]any)
	ran, notRun := 0, 0
	for _, e := range entries {
		msg, _ := e.(abi.Struct).Get("faultString")
		if strings.HasPrefix(msg.(string), "not run") {
			notRun++
		} else {
			ran++
		}
	}
	t.Logf("100 × a 50 ms spin under a 300 ms call timeout: %d ran, %d not run, all -32001 (%v), in %v", ran, notRun, faults, took.Round(time.Millisecond))
	if faults[CodeTimeout] != 100 || notRun == 0 || ran > 20 {
		t.Errorf("%d ran, %d not run, faults %v; want every entry -32001 and the calls to stop near 300 ms", ran, notRun, faults)
	}
	if took > 3*time.Second {
		t.Errorf("the multicall took %v; its calls together have 300 ms (+ the last call's 50 ms)", took)
	}
}

func TestMulticallStopsWhenTheClientGoesAway(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"hostile.wasm": fixture(t, "hostile")}, func(c Config) Config {
		return c.WithCallTimeout(time.Minute).WithPluginLimits("hostile", Limits{CallTimeout: 50 * time.Millisecond})
	})
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	ran := func() int { return strings.Count(logs.String(), "method=spin") }

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, bytes.NewReader(request(t, multicallName, calls(100, "hostile.spin"))))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the multicall of 100 × 50 ms answered within 300 ms")
	}
	waitFor(t, "the server to notice", func() bool { return strings.Contains(logs.String(), "client went away") })
	n := ran()
	time.Sleep(300 * time.Millisecond)
	t.Logf("a multicall of 100 × a 50 ms spin, client gone after 300 ms: %d calls ran (then %d)", n, ran())
	if n >= 20 || ran() != n {
		t.Errorf("%d calls ran, then %d; want the multicall to stop near 6 when its client went away", n, ran())
	}
}

// The amplification of the attack pass: small calls whose results are
// large. The response is bounded, and so is the heap while it is built.
func TestMulticallAmplificationIsBounded(t *testing.T) {
	wasm, err := hostileGo()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := newTestHost(t, map[string][]byte{"hostilego.wasm": wasm}, func(c Config) Config {
		return c.WithCallTimeout(time.Minute).WithMemoryLimit(64 << 20)
	})
	var peak, stop atomic.Int64
	done := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := int64(sample[0].Value.Uint64())
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for stop.Load() == 0 {
			metrics.Read(s)
			if v := int64(s[0].Value.Uint64()); v > peak.Load() {
				peak.Store(v)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	start := time.Now()
	// 200 calls asking for 1 MiB each: 200 MiB of results unbounded.
	v, err := h.Call(context.Background(), multicallName, []any{calls(200, "hostilego.big", int64(1<<20))})
	stop.Store(1)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	ok, faults, says := tally(t, v)
	b, err := xmlrpc.AppendResponse(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	grew := peak.Load() - base
	t.Logf("200 × big(1 MiB): %d results, %d × -32007 (%q), a %d KiB response, in %v; heap peak +%d MiB",
		ok, faults[CodeResultTooLarge], says[CodeResultTooLarge], len(b)>>10, time.Since(start).Round(time.Millisecond), grew>>20)
	if ok > 16 || faults[CodeResultTooLarge] != 200-ok || len(b) > 16<<20+200*300 {
		t.Errorf("%d results, faults %v, %d bytes; want at most 16 MiB of results and -32007 for the rest", ok, faults, len(b))
	}
	if grew > 96<<20 {
		t.Errorf("the heap grew by %d MiB while building a response bounded at 16 MiB; want under 96 MiB", grew>>20)
	}
}

// A call whose result XML-RPC cannot carry (a NaN) gets a fault of its own
// in the multicall's answer; the calls beside it keep their results, so a
// client learns which ran (and wrote), instead of one fault for all.
func TestMulticallUnsendableResultIsThatCallsFault(t *testing.T) {
	h := rawHost(t)
	nan := []byte{0x92, 0x00, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0} // Result [0, NaN]
	seven := []byte{0x92, 0x00, 0x07}                             // Result [0, 7]
	call := func(result []byte) abi.Struct {
		return abi.Struct{{Name: "methodName", Value: "rawresult.r"}, {Name: "params", Value: []any{result}}}
	}
	body, err := xmlrpc.AppendRequest(nil, "system.multicall", []any{[]any{call(seven), call(nan), call(seven)}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/RPC2", bytes.NewReader(body)))
	resp, err := xmlrpc.ParseResponse(rec.Body.Bytes(), xmlrpc.Limits{})
	if err != nil {
		t.Fatalf("one fault for the whole multicall, or no response: %v: %.400s", err, rec.Body.String())
	}
	entries, _ := resp.([]any)
	if len(entries) != 3 {
		t.Fatalf("entries %v", resp)
	}
	for _, i := range []int{0, 2} {
		if got, ok := entries[i].([]any); !ok || len(got) != 1 || got[0] != int64(7) {
			t.Errorf("entry %d = %v, want [7]", i, entries[i])
		}
	}
	f, ok := entries[1].(abi.Struct)
	code, _ := f.Get("faultCode")
	msg, _ := f.Get("faultString")
	if !ok || code != int64(abi.CodeInternalError) || !strings.Contains(msg.(string), "cannot be sent as XML-RPC") {
		t.Errorf("entry 1 = %v, want a -32603 fault saying why", entries[1])
	}
}
