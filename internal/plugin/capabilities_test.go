package plugin

import (
	"testing"

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
