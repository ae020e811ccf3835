package host

import (
	"context"
	"strings"
	"testing"
)

// kv_write applies a batch of puts and deletes in order, as one call's
// writes: kept only when the call succeeds, visible to its own reads.
func TestKVWriteAppliesABatchAsTheCallsWrites(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"p.wasm": fixture(t, "kvwrite")}, withStore(t))
	ctx := context.Background()

	if _, err := h.Call(ctx, "p.write_then_crash", nil); toFault(err).Code != CodeTrap {
		t.Fatalf("write_then_crash: %v, want a trap", err)
	}
	if got := callInt(t, h, "p.get_b"); got != -1 {
		t.Errorf("get_b after a call that trapped = %d, want -1 (its batch discarded)", got)
	}
	if got := callInt(t, h, "p.write_then_get_c"); got != 3 {
		t.Errorf("a call reading its own batch got %d, want 3", got)
	}
	if got := callInt(t, h, "p.write"); got != 0 {
		t.Fatalf("write = %d, want 0", got)
	}
	for method, want := range map[string]int64{"p.get_a": -1, "p.get_b": 1, "p.get_c": 3} {
		if got := callInt(t, h, method); got != want {
			t.Errorf("%s after the batch = %d, want %d", method, got, want)
		}
	}
	if got := callInt(t, h, "p.write_nothing"); got != 0 {
		t.Errorf("an empty batch = %d, want 0", got)
	}
}

// A batch whose framing is wrong applies nothing; one whose entry the store
// refuses keeps the entries before it, as kv_put calls would, and fails.
func TestKVWriteRefusesBadBatches(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"p.wasm": fixture(t, "kvwrite")}, withStore(t))
	for _, method := range []string{"p.write_cut", "p.write_malformed", "p.write_outside"} {
		if got := callInt(t, h, method); got > -2 {
			t.Errorf("%s = %d, want a failure (<= -2)", method, got)
		}
	}
	if got := callInt(t, h, "p.get_d"); got != -1 {
		t.Errorf("the good put before a malformed entry was applied (get_d = %d)", got)
	}
	if got := callInt(t, h, "p.get_c"); got != -1 {
		t.Errorf("a batch cut short was applied (get_c = %d)", got)
	}
	if got := callInt(t, h, "p.write_empty_key"); got > -2 {
		t.Errorf("a batch with an empty key = %d, want a failure", got)
	}
	// The call returned a result, so what kv_write accepted before the
	// refused entry is committed, exactly as with kv_put.
	if got := callInt(t, h, "p.get_e"); got != 1 {
		t.Errorf("get_e = %d: the entry before the refused one was not kept", got)
	}
}

// kv_write needs the "kv" grant, as kv_put does.
func TestKVWriteNeedsTheKVGrant(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"p.wasm": fixture(t, "kvwrite")}, withStore(t),
		func(c Config) Config { return c.WithPluginGrants("p", []string{"log", "time"}) })
	if len(h.Plugins()) != 0 {
		t.Errorf("plugins %+v: p imports kv_write without the grant and must be refused", h.Plugins())
	}
	if !strings.Contains(logs.String(), `kv_write, which needs the \"kv\" grant`) {
		t.Errorf("the log does not say which grant is missing:\n%s", logs.String())
	}
}

// kv_get_many answers many keys in one call, each as kv_get would.
func TestKVGetManyAnswersEachKey(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"p.wasm": fixture(t, "kvwrite")}, withStore(t))
	if got := callInt(t, h, "p.get_many_abc"); got != 12 {
		t.Errorf("get_many_abc on an empty store = %d, want 12 (three not-found marks)", got)
	}
	if got := callInt(t, h, "p.write_then_get_many"); got != 3 {
		t.Errorf("c's value length read back in the call that wrote it = %d, want 3", got)
	}
	callInt(t, h, "p.write")
	if got := callInt(t, h, "p.get_many_abc"); got != 16 {
		t.Errorf("get_many_abc after the batch = %d, want 16", got)
	}
	if got := callInt(t, h, "p.get_many_cut"); got > -2 {
		t.Errorf("a cut request = %d, want a failure", got)
	}
}

// An add entry (op 2) adds its delta to the decimal integer stored at its
// key when the call commits; a sum of 0 deletes the key, and an add to a
// value that is not an integer is refused at its entry.
func TestKVWriteAdds(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"p.wasm": fixture(t, "kvwrite")}, withStore(t))
	for i, wantLen := range []int64{1, 2} { // "9", then "18"
		if got := callInt(t, h, "p.add_f"); got != 0 {
			t.Fatalf("add_f = %d, want 0", got)
		}
		if got := callInt(t, h, "p.get_f"); got != wantLen {
			t.Errorf("after %d add_f calls f's value is %d bytes, want %d", i+1, got, wantLen)
		}
	}
	if got := callInt(t, h, "p.sub_f"); got != 0 {
		t.Fatalf("sub_f = %d, want 0", got)
	}
	if got := callInt(t, h, "p.get_f"); got != -1 {
		t.Errorf("f summed to 0 is still stored (%d bytes)", got)
	}
	if got := callInt(t, h, "p.add_cut"); got > -2 {
		t.Errorf("an add whose delta is cut = %d, want a failure", got)
	}
	if got := callInt(t, h, "p.add_to_text"); got > -2 {
		t.Errorf("an add to a value that is not an integer = %d, want a failure", got)
	}
}
