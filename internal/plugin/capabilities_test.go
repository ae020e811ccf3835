package plugin

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi"
)

// The host module's functions and abi.HostGrant name the capabilities
// twice; a capability one side lacks would be served without a grant check
// or refused although it exists.
func TestEveryCapabilityHasAGrant(t *testing.T) {
	for _, cp := range capabilities {
		if _, ok := abi.HostGrant(cp.name); !ok {
			t.Errorf("capability %s has no entry in abi.HostGrant", cp.name)
		}
	}
	for _, name := range []string{"log", "kv_get", "kv_put", "kv_delete", "kv_scan", "kv_get_many", "kv_write", "config_get", "time_now", "result_read"} {
		found := false
		for _, cp := range capabilities {
			found = found || cp.name == name
		}
		if !found {
			t.Errorf("abi.HostGrant knows %s, but the host module does not export it", name)
		}
	}
}

// A failure message cut at maxFailMessage must stay valid UTF-8: the guest
// quotes it in a fault, where a split character would become U+FFFD.
func TestFailCutsOnARuneBoundary(t *testing.T) {
	for _, prefix := range []int{0, 1, 2, 3} {
		msg := strings.Repeat("x", maxFailMessage-prefix-1) + strings.Repeat("€", 10) // 3 bytes each
		c := &call{}
		n := abi.HostFailed - c.fail(errors.New(msg))
		got := string(c.result)
		if int(n) != len(got) || len(got) > maxFailMessage || !utf8.ValidString(got) || !strings.HasPrefix(msg, got) {
			t.Errorf("prefix %d: cut to %d bytes (code says %d), valid UTF-8 %v", prefix, len(got), n, utf8.ValidString(got))
		}
		if len(got) < maxFailMessage-3 {
			t.Errorf("prefix %d: cut to %d bytes, more than one character short of %d", prefix, len(got), maxFailMessage)
		}
	}
	if got := cutUTF8("short", maxFailMessage); got != "short" {
		t.Errorf("cutUTF8 changed a short message: %q", got)
	}
}

// A log message over maxLogMessage is refused before the host reads or
// decodes it: a guest cannot make the host decode its whole memory per call.
func TestAHugeLogMessageIsDroppedUnread(t *testing.T) {
	var logs strings.Builder
	p := &Plugin{logger: slog.New(slog.NewTextHandler(&logs, nil))}
	c := &call{plugin: p, method: "m"}
	// A nil memory: reading it would panic, so the size must be checked first.
	capLog(context.Background(), c, nil, []uint64{0, maxLogMessage + 1})
	if !strings.Contains(logs.String(), "message too large") {
		t.Errorf("log: %q; want a warning that the message is too large", logs.String())
	}
}
