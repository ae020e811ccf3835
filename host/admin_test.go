package host

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const testToken = "s3cret"

func withTestAdmin(c Config) Config { return c.WithAdmin(testToken, 1<<20) }

// adminCtx is the context of a network request presenting token ("" for
// none), from 192.0.2.1:1234.
func adminCtx(token string) context.Context {
	r := httptest.NewRequest("POST", "/RPC2", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return withToken(context.Background(), r)
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() == versionsDir && e.IsDir() { // the version log, kept beside the plugins (deploy.go)
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestUploadWritesValidatesAndServes(t *testing.T) {
	h, _ := newTestHost(t, nil, withTestAdmin)
	info, err := h.Upload(adminCtx(testToken), "up.wasm", fixture(t, "answer1"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "up" || info.Version != 1 || len(info.SHA256) != 64 || info.Size != len(fixture(t, "answer1")) {
		t.Errorf("upload info %+v", info)
	}
	if got, err := h.Call(context.Background(), "up.answer", nil); err != nil || got != int64(1) {
		t.Errorf("up.answer after upload = %v, %v", got, err)
	}
	if got := dirNames(t, h.cfg.pluginDir); len(got) != 1 || got[0] != "up.wasm" {
		t.Errorf("plugin directory holds %v, want [up.wasm] and no temporary file", got)
	}
	info, err = h.Upload(adminCtx(testToken), "up", fixture(t, "answer2"))
	if err != nil || info.Version != 2 {
		t.Fatalf("second upload: %+v, %v", info, err)
	}
	if got, _ := h.Call(context.Background(), "up.answer", nil); got != int64(2) {
		t.Errorf("up.answer after the second upload = %v, want 2", got)
	}
	if err := h.Remove(adminCtx(testToken), "up"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Call(context.Background(), "up.answer", nil); !errors.Is(err, ErrMethodNotFound) {
		t.Errorf("after remove: %v, want ErrMethodNotFound", err)
	}
	if err := h.Remove(adminCtx(testToken), "up"); !errors.Is(err, ErrNoSuchPlugin) {
		t.Errorf("second remove: %v, want ErrNoSuchPlugin", err)
	}
}

func TestUploadRefusalsWriteNothing(t *testing.T) {
	h, _ := newTestHost(t, nil, withTestAdmin)
	good := fixture(t, "answer1")
	cases := []struct {
		name, token, plugin string
		wasm                []byte
		want                error
		code                int
	}{
		{"no token", "", "up", good, ErrUnauthorized, CodeForbidden},
		{"wrong token", "guess", "up", good, ErrUnauthorized, CodeForbidden},
		{"too large", testToken, "up", bytes.Repeat([]byte{0}, 2<<20), ErrUploadTooLarge, -32602},
		{"not wasm", testToken, "up", []byte("#!/bin/sh\nrm -rf /\n"), ErrInvalidModule, -32602},
		{"does not load", testToken, "up", fixture(t, "imports_env"), ErrInvalidModule, -32602},
		// 13 bytes claiming 4 billion imports: wazero alone would allocate
		// them and end the process.
		{"declares too much", testToken, "up", []byte{0, 'a', 's', 'm', 1, 0, 0, 0, 2, 6, 0xff, 0xff, 0xff, 0xff, 0x0f, 0}, ErrInvalidModule, -32602},
		// A call to a function whose type does not exist: wazero v1.12
		// panics validating it.
		{"panics wazero", testToken, "up", []byte{0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 3, 2, 0, 48, 10, 9, 2, 4, 0, 0x10, 1, 0x0b, 2, 0, 0x0b}, ErrInvalidModule, -32602},
		{"traversal", testToken, "../up", good, ErrBadPluginName, -32602},
		{"absolute", testToken, "/tmp/up", good, ErrBadPluginName, -32602},
		{"separator", testToken, "a/b", good, ErrBadPluginName, -32602},
		{"hidden", testToken, ".up", good, ErrBadPluginName, -32602},
		{"reserved system", testToken, "system", good, ErrBadPluginName, -32602},
		{"reserved plugins", testToken, "plugins.wasm", good, ErrBadPluginName, -32602},
	}
	for _, tc := range cases {
		_, err := h.Call(adminCtx(tc.token), "plugins.upload", []any{tc.plugin, tc.wasm})
		if !errors.Is(err, tc.want) || toFault(err).Code != tc.code {
			t.Errorf("%s: %v (fault %d), want %v (fault %d)", tc.name, err, toFault(err).Code, tc.want, tc.code)
		}
	}
	if got := dirNames(t, h.cfg.pluginDir); len(got) != 0 {
		t.Errorf("refused uploads left %v in the plugin directory", got)
	}
	if got := dirNames(t, filepath.Dir(h.cfg.pluginDir)); len(got) != 1 {
		t.Errorf("refused uploads wrote beside the plugin directory: %v", got)
	}
}

func TestUploadIsDisabledWithoutAToken(t *testing.T) {
	h, _ := newTestHost(t, nil)
	_, err := h.Call(adminCtx("anything"), "plugins.upload", []any{"up", fixture(t, "answer1")})
	if !errors.Is(err, ErrAdminDisabled) || !strings.Contains(err.Error(), "RPCHOST_ADMIN_TOKEN") {
		t.Errorf("upload without a configured token: %v; want ErrAdminDisabled saying how to enable it", err)
	}
}

func TestAdminOverPlainHTTP(t *testing.T) {
	h, _ := newTestHost(t, nil, withTestAdmin)
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	do := func(method, path string, body []byte, auth string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	checks := []struct {
		method, path string
		body         []byte
		auth         string
		status       int
	}{
		{"PUT", "/plugins/up.wasm", fixture(t, "answer1"), "", http.StatusUnauthorized},
		{"PUT", "/plugins/up.wasm", fixture(t, "answer1"), "Bearer nope", http.StatusUnauthorized},
		{"PUT", "/plugins/up.wasm", []byte("nope"), "Bearer " + testToken, http.StatusUnprocessableEntity},
		{"PUT", "/plugins/..%2Fup.wasm", fixture(t, "answer1"), "Bearer " + testToken, http.StatusBadRequest},
		{"PUT", "/plugins/up.wasm", bytes.Repeat([]byte{0}, 2<<20), "Bearer " + testToken, http.StatusRequestEntityTooLarge},
		{"PUT", "/plugins/up.wasm", fixture(t, "answer1"), "Bearer " + testToken, http.StatusOK},
		{"GET", "/plugins", nil, "", http.StatusOK},
		{"DELETE", "/plugins/up.wasm", nil, "Basic " + basic("admin", testToken), http.StatusNoContent},
		{"DELETE", "/plugins/up.wasm", nil, "Bearer " + testToken, http.StatusNotFound},
		{"POST", "/plugins/up.wasm", nil, "Bearer " + testToken, http.StatusMethodNotAllowed},
	}
	for _, c := range checks {
		if resp := do(c.method, c.path, c.body, c.auth); resp.StatusCode != c.status {
			t.Errorf("%s %s (auth %q): %d, want %d", c.method, c.path, c.auth, resp.StatusCode, c.status)
		}
	}
	if got := dirNames(t, h.cfg.pluginDir); len(got) != 0 {
		t.Errorf("plugin directory holds %v after the upload was deleted", got)
	}
}

func basic(user, password string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, password)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}
