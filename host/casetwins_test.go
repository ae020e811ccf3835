package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCaseLosers(t *testing.T) {
	for _, tc := range []struct {
		names, loaded []string
		want          map[string]string
	}{
		{[]string{"up", "add"}, nil, map[string]string{}},
		{[]string{"up", "UP", "Up"}, nil, map[string]string{"up": "UP", "Up": "UP"}},
		{[]string{"up", "UP"}, []string{"up"}, map[string]string{"UP": "up"}},
		{[]string{"a", "B", "b", "A"}, []string{"b"}, map[string]string{"B": "b", "a": "A"}},
	} {
		if got := caseLosers(tc.names, tc.loaded); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("caseLosers(%v, %v) = %v, want %v", tc.names, tc.loaded, got, tc.want)
		}
	}
}

// Configuration matches plugin names case-insensitively, so up and UP
// cannot both be served: an upload of UP beside up is refused, and of two
// such files in the directory the loaded one (or the first) is served and
// the other reported. Once its twin is gone, the other one loads.
func TestNamesDifferingOnlyInCaseAreRefused(t *testing.T) {
	h, logs := newTestHost(t, map[string][]byte{"up.wasm": fixture(t, "answer1")}, withTestAdmin)
	_, err := h.Upload(adminCtx(testToken), "UP", fixture(t, "answer2"))
	if !errors.Is(err, ErrBadPluginName) || toFault(err).Code != -32602 || !strings.Contains(err.Error(), `"UP" differs only in case from plugin "up"`) {
		t.Errorf("upload of UP beside up: %v", err)
	}
	if got := dirNames(t, h.cfg.pluginDir); !reflect.DeepEqual(got, []string{"up.wasm"}) {
		t.Errorf("plugin directory holds %v", got)
	}

	writeFile := func(name string, b []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(h.cfg.pluginDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeFile("Up.wasm", fixture(t, "answer2"))
	reconcileNow(t, h)
	if _, err := h.Call(context.Background(), "Up.answer", nil); !errors.Is(err, ErrMethodNotFound) {
		t.Errorf("Up.answer beside up: %v, want ErrMethodNotFound", err)
	}
	if got, err := h.Call(context.Background(), "up.answer", nil); err != nil || got != int64(1) {
		t.Errorf("up.answer = %v, %v; want the loaded up to keep serving", got, err)
	}
	if !strings.Contains(logs.String(), `plugin name \"Up\" differs only in case from plugin \"up\"`) {
		t.Errorf("the log does not say why Up was skipped:\n%s", logs.String())
	}

	if err := os.Remove(filepath.Join(h.cfg.pluginDir, "up.wasm")); err != nil {
		t.Fatal(err)
	}
	reconcileNow(t, h)
	if got, err := h.Call(context.Background(), "Up.answer", nil); err != nil || got != int64(2) {
		t.Errorf("Up.answer once up is gone = %v, %v; want 2", got, err)
	}
}

// reconcileNow scans the plugin directory and waits for the loads it starts.
func reconcileNow(t *testing.T, h *Host) {
	t.Helper()
	loads, err := h.reconcile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	loads.Wait()
}
