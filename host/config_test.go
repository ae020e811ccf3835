package host

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

func TestValidateNamesTheConfigurationKey(t *testing.T) {
	cfg := NewConfig().
		WithMaxDepth(abi.MaxDepth+1).
		WithPluginLimits("up", Limits{CallTimeout: -time.Second}).
		WithStore(StoreConfig{Driver: "bbolt", Target: t.TempDir(), Limits: StoreLimits{MaxValueBytes: -1}})
	err := cfg.validate()
	if err == nil {
		t.Fatal("validate accepted an invalid configuration")
	}
	for _, want := range []string{"limits.max_depth: 129 is above 128", "plugin.up.call_timeout: -1s is negative", "store.max_value_bytes: -1 is negative"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := NewConfig().WithMaxDepth(abi.MaxDepth).validate(); err != nil {
		t.Errorf("max depth %d, the ABI's own, was refused: %v", abi.MaxDepth, err)
	}
}

func TestPluginLimitsFuncSetsAZeroTimeout(t *testing.T) {
	cfg := NewConfig().
		WithPluginLimits("a", Limits{CallTimeout: 0, PoolSize: 2}).
		WithPluginLimitsFunc("b", func(l Limits) Limits { l.CallTimeout = 0; return l })
	if got := cfg.limitsFor("a"); got.CallTimeout != 5*time.Second || got.PoolSize != 2 {
		t.Errorf("WithPluginLimits: %+v, want the default timeout inherited and pool size 2", got)
	}
	if got := cfg.limitsFor("B"); got.CallTimeout != 0 || got.PoolSize != 8 {
		t.Errorf("WithPluginLimitsFunc: %+v, want no timeout and the default pool size", got)
	}
	// An override edits the defaults New sees, not those at the time it was given.
	if got := cfg.WithPoolSize(3).limitsFor("b"); got.PoolSize != 3 {
		t.Errorf("pool size %d, want the later default 3", got.PoolSize)
	}
}

func TestStoreDefaultsAreReported(t *testing.T) {
	st := NewConfig().WithStore(StoreConfig{Driver: "bbolt", Target: "x", Limits: StoreLimits{MaxKeyBytes: 10}}).Store()
	if st.Limits.MaxKeyBytes != 10 || st.Limits.MaxValueBytes != 1<<20 || st.Limits.MaxPluginBytes != 256<<20 {
		t.Errorf("Store() = %+v", st)
	}
	h, err := New(context.Background(), NewConfig().WithPluginDir(t.TempDir()).WithWatch(false, 0, 0).
		WithStore(StoreConfig{Driver: "bbolt", Target: t.TempDir(), Limits: st.Limits}))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(context.Background()); err != nil {
		t.Error(err)
	}
}
