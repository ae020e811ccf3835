package host

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

// inspectCase is one module with the configuration it is judged under.
type inspectCase struct {
	file   string // its file name in the plugin directory
	wasm   []byte
	adjust func(Config) Config
	// want is a part of every problem, in order; none: it loads.
	want []string
	// beyond is true when inspect finds more than the loader says: the
	// loader stops at a problem of the settings before running the
	// module's code, inspect runs it anyway.
	beyond bool
}

func withGrants(name string, grants ...string) func(Config) Config {
	return func(c Config) Config { return c.WithPluginGrants(name, grants) }
}

// Every reason the loader refuses a module for, each in a module of its
// own: the file name, bytes that are not wasm, a structural limit, the
// compiler, imports, capabilities without their grant or store, the ABI's
// exports, set-up code that traps or loops, the ABI version, a describe
// that loops or answers out of bounds, and each kind of bad manifest.
func refusalCases(t *testing.T) []inspectCase {
	f := func(name string) []byte { return fixture(t, name) }
	noStore := func(c Config) Config { return c.WithStore(StoreConfig{}) }
	return []inspectCase{
		{file: "my-plugin.wasm", wasm: f("calc"), want: []string{`plugin name "my-plugin" has '-'`}},
		{file: "system.wasm", wasm: f("calc"), want: []string{`plugin name "system" is reserved`}},
		{file: "garbage.wasm", wasm: []byte("\x00asm but not really"), want: []string{"not a wasm 1.0 binary module"}},
		{file: "empty.wasm", wasm: nil, want: []string{"not a wasm 1.0 binary module"}},
		{file: "table_limit.wasm", wasm: f("table_limit"), want: []string{"over a structural limit: 100001 entries in the minimum of table 0"}},
		{file: "memory_min.wasm", wasm: f("memory_min"), want: []string{"compile: section memory: min 2000 pages (125 Mi) over limit of 1024 pages"}},
		{file: "imports_env.wasm", wasm: f("imports_env"), want: []string{"imports env.launch_missiles, which rpchost does not provide"}},
		{file: "unknown_capability.wasm", wasm: f("unknown_capability"), want: []string{"imports rpchost.launch_missiles, which ABI v1 does not have"}},
		{file: "kv.wasm", wasm: f("kv"), adjust: withGrants("kv", "log", "time"), want: []string{`imports rpchost.kv_put, which needs the "kv" grant`, `imports rpchost.kv_get, which needs the "kv" grant`}},
		{file: "kv.wasm", wasm: f("kv"), adjust: noStore, want: []string{"imports rpchost.kv_put, but no store is configured (store.driver)", "imports rpchost.kv_get, but no store"}},
		{file: "bad_sdk.wasm", wasm: f("bad_sdk"), want: []string{"export rpchost_call has type (i32) -> (i64), ABI v1 wants (i32, i32) -> (i64)"}},
		{file: "sdk_incomplete.wasm", wasm: f("sdk_incomplete"), want: []string{"not rpchost_alloc", "not rpchost_describe", "not rpchost_call", `must export its memory as "memory"`}},
		{file: "start_trap.wasm", wasm: f("start_trap"), want: []string{"start function: wasm error: unreachable"}},
		{file: "loop_start.wasm", wasm: f("loop_start"), adjust: withLoadTimeout, want: []string{"start function did not finish within 300ms (limits.load_timeout)"}},
		{file: "loop_init.wasm", wasm: f("loop_init"), adjust: withLoadTimeout, want: []string{"_initialize did not finish within 300ms"}},
		{file: "future_abi.wasm", wasm: f("future_abi"), want: []string{"module speaks ABI version 99; this rpchost speaks version 1"}},
		{file: "loop_describe.wasm", wasm: f("loop_describe"), adjust: withLoadTimeout, want: []string{"rpchost_describe) did not finish within 300ms"}},
		{file: "describe_outside.wasm", wasm: f("describe_outside"), want: []string{"rpchost_describe: procedure broke the rpchost ABI: region [2147418112, +16) lies outside memory"}},
		{file: "manifest_malformed.wasm", wasm: f("manifest_malformed"), want: []string{"manifest is int, want struct"}},
		{file: "manifest_name.wasm", wasm: f("manifest_name"), want: []string{`method name "no spaces" has ' '`}},
		{file: "manifest_dup.wasm", wasm: f("manifest_dup"), want: []string{"method twice is described twice"}},
		{file: "manifest_empty.wasm", wasm: f("manifest_empty"), want: []string{"manifest lists no methods"}},
		{file: "manifest_help.wasm", wasm: f("manifest_help"), want: []string{`manifest over a limit: method "h" has 16385 bytes of help, the limit is 16384`}},
		{file: "no_methods.wasm", wasm: f("no_methods"), want: []string{"exports no function rpchost can serve"}},
		{file: "kv_future.wasm", wasm: f("kv_future"), adjust: withGrants("kv_future", "log"), beyond: true,
			want: []string{`imports rpchost.kv_get, which needs the "kv" grant`, "module speaks ABI version 99"}},
	}
}

// Inspect refuses each module for the reasons the loader gives, in its
// words: each case is loaded by a host, whose refusal of the file is
// compared with what Inspect says under the same configuration.
func TestInspectReportsEveryRefusalAsTheLoaderDoes(t *testing.T) {
	for _, tc := range refusalCases(t) {
		t.Run(tc.file, func(t *testing.T) {
			adjust := tc.adjust
			if adjust == nil {
				adjust = func(c Config) Config { return c }
			}
			h, _ := newTestHost(t, map[string][]byte{tc.file: tc.wasm}, adjust)
			refused := h.Refused()
			if len(refused) != 1 || len(h.Plugins()) != 0 {
				t.Fatalf("the loader refused %+v and serves %+v; want %s refused", refused, h.Plugins(), tc.file)
			}
			in, err := Inspect(context.Background(), adjust(h.cfg), strings.TrimSuffix(tc.file, ".wasm"), tc.wasm)
			if err != nil {
				t.Fatal(err)
			}
			if in.Loads() {
				t.Fatalf("Inspect says %s loads", tc.file)
			}
			loader := strings.Split(refused[0].Reason, "\n")
			got := strings.Split(strings.Join(in.Problems, "\n"), "\n")
			if tc.beyond {
				for _, line := range loader {
					if !slices.Contains(got, line) {
						t.Errorf("the loader says %q; Inspect does not:\n%s", line, strings.Join(got, "\n"))
					}
				}
				if len(got) <= len(loader) {
					t.Errorf("Inspect found no more than the loader: %q", got)
				}
			} else if !slices.Equal(got, loader) {
				t.Errorf("the loader says\n%s\nInspect says\n%s", refused[0].Reason, strings.Join(in.Problems, "\n"))
			}
			if len(in.Problems) != len(tc.want) {
				t.Errorf("%d problems, want %d: %q", len(in.Problems), len(tc.want), in.Problems)
			}
			for i, want := range tc.want {
				if i < len(in.Problems) && !strings.Contains(in.Problems[i], want) {
					t.Errorf("problem %d is %q, want it to say %q", i, in.Problems[i], want)
				}
			}
		})
	}
}

// What Inspect reports of a module that loads: its kind, methods with
// signatures and help, imports with their grants, memory and digest.
func TestInspectReportsWhatAModuleIs(t *testing.T) {
	ctx := context.Background()
	// A store is configured, and not opened: the directory stays empty.
	dir := t.TempDir()
	cfg := NewConfig().WithLoadTimeout(loadTimeout).WithStore(StoreConfig{Driver: "bbolt", Target: dir})
	in, err := Inspect(ctx, cfg, "kv", fixture(t, "kv"))
	if err != nil {
		t.Fatal(err)
	}
	if !in.Loads() || in.Kind != "numeric" || in.ABIVersion != 0 || !in.Ran || len(in.Methods) != 9 {
		t.Fatalf("kv: loads %v, kind %q, ABI %d, ran %v, %d methods; want a numeric module of 9 methods: %+v",
			in.Loads(), in.Kind, in.ABIVersion, in.Ran, len(in.Methods), in)
	}
	if m := in.Methods[0]; m.Name != "get_a" || !slices.Equal(m.Signatures[0], []string{"int"}) || m.Help != "WebAssembly export get_a() -> (i32)." {
		t.Errorf("first method %+v", m)
	}
	grants := map[string]string{}
	for _, imp := range in.Imports {
		grants[imp.Module+"."+imp.Name] = imp.Grant
	}
	if grants["rpchost.kv_get"] != "kv" || grants["rpchost.time_now"] != "time" || grants["rpchost.result_read"] != "" {
		t.Errorf("imports and their grants: %v", grants)
	}
	if !slices.Equal(in.Grants, []string{"log", "kv", "config", "time"}) {
		t.Errorf("grants %v, want all by default", in.Grants)
	}
	if m := in.Memory; !m.Declared || m.MinPages != 1 || m.HasMax || m.LimitPages != 1024 || !strings.Contains(m.Effect, "may grow up to limits.memory_mib, 1024 pages (64 MiB)") {
		t.Errorf("memory %+v", m)
	}
	if len(in.SHA256) != 64 || in.Size != len(fixture(t, "kv")) || in.CompileTime <= 0 {
		t.Errorf("sha256 %q, size %d, compile time %v", in.SHA256, in.Size, in.CompileTime)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("Inspect touched the store's directory: %v, %v", entries, err)
	}

	in, err = Inspect(ctx, cfg, "hostile_help", fixture(t, "hostile_help"))
	if err != nil {
		t.Fatal(err)
	}
	if !in.Loads() || in.Kind != "sdk" || in.ABIVersion != 1 || len(in.Methods) != 1 || in.Methods[0].Name != "steal" ||
		!strings.HasPrefix(in.Methods[0].Help, "<script>") || len(in.Methods[0].Signatures) != 1 || !slices.Equal(in.Methods[0].Signatures[0], []string{"string"}) {
		t.Errorf("hostile_help: %+v", in)
	}
}

// What the memory limit does to a declared memory: a smaller maximum is
// kept, a larger one is cut, a minimum over it refuses the module; and a
// plugin's own memory_mib is the limit that counts.
func TestInspectSaysWhatTheMemoryLimitDoes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		wasm   []byte
		adjust func(Config) Config
		effect string
	}{
		{"calc", fixture(t, "calc"), nil, "may grow up to limits.memory_mib, 1024 pages (64 MiB)"},
		{"calc", fixture(t, "calc"), func(c Config) Config {
			return c.WithPluginLimitsFunc("calc", func(l Limits) Limits { l.MemoryBytes = 2 << 20; return l })
		}, "may grow up to limits.memory_mib, 32 pages (2 MiB)"},
		{"memory_min", fixture(t, "memory_min"), nil, "refused: its minimum is over limits.memory_mib, 1024 pages"},
		{"imports_env", fixture(t, "imports_env"), nil, "declares no memory"},
	} {
		cfg := NewConfig()
		if tc.adjust != nil {
			cfg = tc.adjust(cfg)
		}
		in, err := Inspect(ctx, cfg, tc.name, tc.wasm)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(in.Memory.Effect, tc.effect) {
			t.Errorf("%s: memory %+v, want it to say %q", tc.name, in.Memory, tc.effect)
		}
	}
}

// A configuration Inspect cannot judge by is an error, not a verdict.
func TestInspectRefusesAnInvalidConfiguration(t *testing.T) {
	_, err := Inspect(context.Background(), NewConfig().WithPluginGrants("calc", []string{"net"}), "calc", fixture(t, "calc"))
	if err == nil || !strings.Contains(err.Error(), `unknown grant "net"`) {
		t.Errorf("Inspect with an unknown grant: %v", err)
	}
}
