package conformance_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
)

// checks are what the suite checks of every module, after its manifest,
// in this order (conformance/README.md, "What the suite checks").
var checks = []struct {
	name string
	run  func(*testing.T, *target)
}{
	{"echo", checkEcho},
	{"type_of", checkTypeOf},
	{"echo_all", checkEchoAll},
	{"add", checkAdd},
	{"made", checkMade},
	{"fault", checkFault},
	{"invalid_params", checkInvalidParams},
	{"trap", checkTrap},
	{"store", checkStore},
	{"config", checkConfig},
	{"now", checkNow},
	{"log", checkLog},
}

// expect calls method and fails t unless it answers want.
func expect(t *testing.T, tg *target, want any, method string, params ...any) {
	t.Helper()
	got, err := tg.call(method, params...)
	if err != nil {
		t.Errorf("%s: %v, want %s", method, err, show(want))
		return
	}
	if d := diff(got, want); d != "" {
		t.Errorf("%s: %s", method, d)
	}
}

// expectFault calls method and fails t unless it answers a fault with
// code; it returns the fault (nil when there was none).
func expectFault(t *testing.T, tg *target, code int64, method string, params ...any) *fault {
	t.Helper()
	got, err := tg.call(method, params...)
	var f *fault
	switch {
	case errors.As(err, &f):
		if f.Code != code {
			t.Errorf("%s: fault %d %q, want code %d", method, f.Code, f.Message, code)
		}
		return f
	case err != nil:
		t.Errorf("%s: %v, want a fault %d", method, err, code)
	default:
		t.Errorf("%s: answered %s, want a fault %d", method, show(got), code)
	}
	return nil
}

// expectInvalid expects an invalid-params fault with a message.
func expectInvalid(t *testing.T, tg *target, method string, params ...any) {
	t.Helper()
	if f := expectFault(t, tg, abi.CodeInvalidParams, method, params...); f != nil && f.Message == "" {
		t.Errorf("%s: an invalid-params fault with an empty message", method)
	}
}

// checkManifest checks that the module describes the contract's methods
// word for word, and returns every method it describes, for comparing
// languages.
func checkManifest(t *testing.T, tg *target) []methodSpec {
	listed, err := tg.client.call("system.listMethods")
	if err != nil {
		t.Fatalf("system.listMethods: %v", err)
	}
	all, _ := listed.([]any)
	var names []string
	for _, n := range all {
		if s, ok := n.(string); ok && strings.HasPrefix(s, pluginName+".") {
			names = append(names, strings.TrimPrefix(s, pluginName+"."))
		}
	}
	slices.Sort(names)
	var got []methodSpec
	for _, name := range names {
		full := pluginName + "." + name
		help, err := tg.client.call("system.methodHelp", full)
		if err != nil {
			t.Errorf("system.methodHelp(%s): %v", full, err)
			continue
		}
		sigAnswer, err := tg.client.call("system.methodSignature", full)
		if err != nil {
			t.Errorf("system.methodSignature(%s): %v", full, err)
			continue
		}
		spec := methodSpec{name: name}
		spec.help, _ = help.(string)
		if sigs, ok := sigAnswer.([]any); ok { // otherwise none are declared
			for _, s := range sigs {
				types, _ := s.([]any)
				sig := []string{}
				for _, ty := range types {
					name, _ := ty.(string)
					sig = append(sig, name)
				}
				spec.signatures = append(spec.signatures, sig)
			}
		}
		got = append(got, spec)
	}
	for _, want := range contract {
		i := slices.IndexFunc(got, func(m methodSpec) bool { return m.name == want.name })
		if i < 0 {
			t.Errorf("no method %s (the module's methods: %s)", want.name, strings.Join(names, ", "))
			continue
		}
		if got[i].help != want.help {
			t.Errorf("%s's help is %q, want %q", want.name, got[i].help, want.help)
		}
		if !slices.EqualFunc(got[i].signatures, want.signatures, slices.Equal) {
			t.Errorf("%s's signatures are %s, want %s", want.name, showSigs(got[i].signatures), showSigs(want.signatures))
		}
	}
	return got
}

func checkEcho(t *testing.T, tg *target) {
	for _, c := range valueCases() {
		t.Run(c.name, func(t *testing.T) { expect(t, tg, c.want, "echo", c.send) })
	}
}

func checkTypeOf(t *testing.T, tg *target) {
	for _, c := range valueCases() {
		t.Run(c.name, func(t *testing.T) { expect(t, tg, c.typ, "type_of", c.send) })
	}
}

func checkEchoAll(t *testing.T, tg *target) {
	for _, n := range []int{0, 1, 20} {
		params := mixedParams(n)
		t.Run(itoa(n), func(t *testing.T) { expect(t, tg, params, "echo_all", params...) })
	}
}

func checkAdd(t *testing.T, tg *target) {
	for _, c := range addCases() {
		t.Run(c.name, func(t *testing.T) {
			if c.want == wantInvalid {
				expectInvalid(t, tg, "add", c.params...)
				return
			}
			expect(t, tg, c.want, "add", c.params...)
		})
	}
}

// checkMade checks made's struct twice: over XML-RPC, where its dateTime
// has no fraction of a second (the request had none to take the digits
// from), and through host.Call, which hands over the value as the guest
// made it, nanoseconds included.
func checkMade(t *testing.T, tg *target) {
	want := theMade()
	overXML := slices.Clone(want)
	i := slices.IndexFunc(overXML, func(m abi.Member) bool { return m.Name == "datetime" })
	overXML[i].Value = overXML[i].Value.(time.Time).Truncate(time.Second)
	expect(t, tg, overXML, "made")

	got, err := tg.host.Call(context.Background(), pluginName+".made", nil)
	if err != nil {
		t.Fatalf("host.Call(made): %v", err)
	}
	if d := diff(got, want); d != "" {
		t.Errorf("made through host.Call: %s", d)
	}
}

func checkFault(t *testing.T, tg *target) {
	for _, code := range []int64{0, 1, abi.CodeInvalidParams, math.MaxInt32, math.MinInt32} {
		for _, msg := range []string{"", "plain message", "héllo, 世界 <&> 🎉"} {
			t.Run(itoa(int(code))+"/"+itoa(len(msg)), func(t *testing.T) {
				if f := expectFault(t, tg, code, "fault", code, msg); f != nil && f.Message != msg {
					t.Errorf("fault message %q, want %q", f.Message, msg)
				}
			})
		}
	}
}

func checkInvalidParams(t *testing.T, tg *target) {
	for _, c := range invalidCalls() {
		t.Run(c.String(), func(t *testing.T) { expectInvalid(t, tg, c.method, c.params...) })
	}
}

// checkTrap checks that a trap is the host's trap fault and costs only the
// instance: the next calls answer normally, the store included.
func checkTrap(t *testing.T, tg *target) {
	for range 2 {
		expectFault(t, tg, host.CodeTrap, "trap")
		expect(t, tg, int64(7), "echo", int64(7))
	}
	expect(t, tg, true, "kv_put", "after_trap", []byte("ok"))
	expect(t, tg, []byte("ok"), "kv_get", "after_trap")
}

func checkStore(t *testing.T, tg *target) {
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	big := []byte(strings.Repeat("0123456789abcdef", 100<<10/16))

	expect(t, tg, nil, "kv_get", "k")
	expect(t, tg, true, "kv_put", "k", []byte("v1"))
	expect(t, tg, []byte("v1"), "kv_get", "k")
	if f := expectFault(t, tg, 1, "kv_put_then_fault", "k", []byte("v2")); f != nil && f.Message != "discarded" {
		t.Errorf("kv_put_then_fault: message %q, want %q", f.Message, "discarded")
	}
	expect(t, tg, []byte("v1"), "kv_get", "k") // the write was discarded
	expectFault(t, tg, 1, "kv_put_then_fault", "new", []byte("x"))
	expect(t, tg, nil, "kv_get", "new")

	expect(t, tg, true, "kv_put", "k", every)
	expect(t, tg, every, "kv_get", "k")
	expect(t, tg, true, "kv_put", "big", big)
	expect(t, tg, big, "kv_get", "big")
	expect(t, tg, true, "kv_put", "empty", []byte{})
	expect(t, tg, []byte{}, "kv_get", "empty") // a value, though empty: not nil
	expect(t, tg, true, "kv_put", "ключ/é 世界", []byte("utf-8 key"))
	expect(t, tg, []byte("utf-8 key"), "kv_get", "ключ/é 世界")

	expect(t, tg, true, "kv_delete", "k")
	expect(t, tg, nil, "kv_get", "k")
	expect(t, tg, true, "kv_delete", "k") // deleting what is not there is no error
	expect(t, tg, []byte{}, "kv_get", "empty")

	for n := int64(1); n <= 3; n++ {
		expect(t, tg, n, "kv_count", "counter")
	}
	expect(t, tg, int64(1), "kv_count", "another counter")
	expect(t, tg, int64(4), "kv_count", "counter")
}

func checkConfig(t *testing.T, tg *target) {
	expect(t, tg, "hello", "config", "greeting")
	expect(t, tg, nil, "config", "missing")
}

// checkNow checks that now is the host's clock: within a second of the
// test's, the answer having no fraction of a second.
func checkNow(t *testing.T, tg *target) {
	before := time.Now()
	got, err := tg.call("now")
	after := time.Now()
	if err != nil {
		t.Fatalf("now: %v", err)
	}
	at, ok := got.(time.Time)
	if !ok {
		t.Fatalf("now answered %s, want a dateTime.iso8601", show(got))
	}
	if at.Before(before.Truncate(time.Second).Add(-time.Second)) || at.After(after.Add(time.Second)) {
		t.Errorf("now = %s, want within a second of %s..%s", at.Format(time.RFC3339Nano),
			before.UTC().Format(time.RFC3339Nano), after.UTC().Format(time.RFC3339Nano))
	}
}

// checkLog checks that log's message reaches the host's log at info
// level, attributed to the plugin.
func checkLog(t *testing.T, tg *target) {
	msg := "conformance log check, " + tg.lang + ": héllo 世界 " + time.Now().Format(time.RFC3339Nano)
	expect(t, tg, true, "log", msg)
	var found bool
	for _, line := range strings.Split(tg.logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != msg {
			continue
		}
		found = true
		if rec["level"] != "INFO" || rec["plugin"] != pluginName {
			t.Errorf("the message is logged as %s, want level INFO and plugin %q", line, pluginName)
		}
	}
	if !found {
		t.Errorf("the log has no line with the message %q:\n%s", msg, clip(tg.logs.String()))
	}
}
