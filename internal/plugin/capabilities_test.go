package plugin

import (
	"errors"
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
	for _, name := range []string{"log", "kv_get", "kv_put", "kv_delete", "kv_scan", "config_get", "time_now", "result_read"} {
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
