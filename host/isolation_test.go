package host

import (
	"context"
	"slices"
	"testing"
)

// TestIsolation shows what one caller can see of the caller before it: with
// shared instances (the default) a procedure's globals and memory carry
// over from call to call; with IsolationCall every call starts from an
// instance that has only been initialized.
func TestIsolation(t *testing.T) {
	ctx := context.Background()
	remember := func(h *Host, x int64) []any {
		t.Helper()
		v, err := h.Call(ctx, "remember.remember", []any{x})
		if err != nil {
			t.Fatal(err)
		}
		return v.([]any)
	}
	files := map[string][]byte{"remember.wasm": fixture(t, "remember")}

	shared, _ := newTestHost(t, files, func(c Config) Config { return c.WithPoolSize(1) })
	remember(shared, 41)
	if got := remember(shared, 7); !slices.Equal(got, []any{int64(41), int64(41)}) {
		t.Errorf("shared instance: the second caller saw %v, want the first caller's [41 41]", got)
	}

	for _, name := range []string{"default", "per plugin"} {
		isolate := func(c Config) Config { return c.WithLimits(Limits{Isolation: IsolationCall}) }
		if name == "per plugin" {
			isolate = func(c Config) Config { return c.WithPluginLimits("remember", Limits{Isolation: IsolationCall}) }
		}
		h, _ := newTestHost(t, files, func(c Config) Config { return c.WithPoolSize(1) }, isolate)
		for i := range int64(5) {
			if got := remember(h, 100+i); !slices.Equal(got, []any{int64(0), int64(0)}) {
				t.Fatalf("%s: call %d saw %v from an earlier call, want [0 0]", name, i, got)
			}
		}
	}
}

func TestIsolationIsValidated(t *testing.T) {
	_, err := New(context.Background(), NewConfig().WithPluginDir(t.TempDir()).
		WithPluginLimits("x", Limits{Isolation: "process"}))
	if err == nil {
		t.Fatal("isolation \"process\" was accepted")
	}
	t.Log(err)
}
