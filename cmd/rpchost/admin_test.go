package main

import (
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

func TestListRowShowsRefusedFilesWithTheirError(t *testing.T) {
	refused := abi.Struct{
		{Name: "name", Value: "bad"}, {Name: "kind", Value: "refused"}, {Name: "file", Value: "bad.wasm"},
		{Name: "size", Value: int64(12)}, {Name: "error", Value: "not a wasm module"}, {Name: "refused", Value: time.Now()},
	}
	row := listRow(refused)
	if strings.Contains(row, "<nil>") || row != "bad\t-\trefused\t12\t-\terror: not a wasm module" {
		t.Errorf("refused row %q", row)
	}
	served := abi.Struct{
		{Name: "name", Value: "add"}, {Name: "version", Value: int64(3)}, {Name: "kind", Value: "sdk"},
		{Name: "size", Value: int64(99)}, {Name: "sha256", Value: "0123456789abcdef"}, {Name: "methods", Value: []any{"add", "sub"}},
	}
	if row := listRow(served); row != "add\t3\tsdk\t99\t0123456789ab\t[add sub]" {
		t.Errorf("served row %q", row)
	}
}

func TestValidPluginNameIsWhatTheUploadMessageSuggests(t *testing.T) {
	for in, want := range map[string]string{
		"my-plugin":              "my_plugin",
		"my plugin.v2":           "my_plugin_v2",
		"-x":                     "x",
		"_hidden":                "hidden",
		"ｘ":                      "",
		"ｘy":                     "y",
		"---":                    "",
		"system":                 "",
		strings.Repeat("a-", 40): strings.Repeat("a_", 32),
		"1.0":                    "1_0",
		"ok_name":                "ok_name",
	} {
		if got := validPluginName(in); got != want {
			t.Errorf("validPluginName(%q) = %q, want %q", in, got, want)
		}
	}
}
