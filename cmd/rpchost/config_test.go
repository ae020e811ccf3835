package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/host"
)

// load reads settings as serve would, with a fresh environment holding
// only env (KEY=value) among RPCHOST_* variables.
func load(t *testing.T, yaml string, env []string, args ...string) (*settings, error) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "RPCHOST_") {
			t.Setenv(name, "")
		}
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	if yaml != "" {
		if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := newServeCommand()
	cmd.PersistentFlags().String("config", "", "")
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return loadSettings(cmd)
}

func mustLoad(t *testing.T, yaml string, env []string, args ...string) *settings {
	t.Helper()
	s, err := load(t, yaml, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSettingsPrecedenceFileEnvFlag(t *testing.T) {
	yaml := "listen: 127.0.0.1:9000\nplugins: fromfile\npool:\n  size: 3\nlimits:\n  call_timeout: 2s\naliases: [add=numeric.add]\n"
	s := mustLoad(t, yaml, []string{"RPCHOST_POOL_SIZE=5", "RPCHOST_PLUGINS=fromenv"}, "--plugins", "fromflag")
	if s.listen != "127.0.0.1:9000" || s.cfg.PluginDir() != "fromflag" || s.cfg.Limits().PoolSize != 5 || s.cfg.Limits().CallTimeout != 2*time.Second {
		t.Errorf("listen %s, plugins %s, limits %+v: want listen from the file, plugins from the flag, pool size from the environment",
			s.listen, s.cfg.PluginDir(), s.cfg.Limits())
	}
	aliases, err := s.parsedAliases()
	if err != nil || aliases["add"] != "numeric.add" {
		t.Errorf("aliases = %v, %v", aliases, err)
	}
	if s.file != "config.yaml" {
		t.Errorf("file %q", s.file)
	}
}

func TestDefaultsComeFromTheHost(t *testing.T) {
	s := mustLoad(t, "", nil)
	def := host.NewConfig()
	if s.listen != "127.0.0.1:8088" || s.cfg.PluginDir() != "plugins" || s.cfg.Limits() != def.Limits() || s.file != "" {
		t.Errorf("defaults: listen %s, plugins %s, limits %+v, file %q", s.listen, s.cfg.PluginDir(), s.cfg.Limits(), s.file)
	}
	for _, k := range keys {
		if k.get(s) == nil {
			t.Errorf("%s has no default", k.name)
		}
	}
	if _, err := s.hostConfig(nil); err != nil {
		t.Error(err)
	}
}

// TestShippedConfigFileMatchesTheDefaults keeps config.yaml a faithful
// copy of the defaults: every key it sets holds the default value.
func TestShippedConfigFileMatchesTheDefaults(t *testing.T) {
	data, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := mustLoad(t, string(data), nil)
	def := newSettings()
	for _, k := range keys {
		if got, want := k.get(s), k.get(def); !equalValue(got, want) {
			t.Errorf("config.yaml sets %s to %v, the default is %v", k.name, got, want)
		}
	}
}

func equalValue(a, b any) bool {
	as, ok1 := a.([]string)
	bs, ok2 := b.([]string)
	if ok1 || ok2 {
		return strings.Join(as, ",") == strings.Join(bs, ",")
	}
	return a == b
}

// TestEveryKeyIsDocumented checks that config.yaml and README's
// Configuration table name every key.
func TestEveryKeyIsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	yaml, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		last := k.name[strings.LastIndex(k.name, ".")+1:]
		if !strings.Contains(string(yaml), last+":") {
			t.Errorf("config.yaml does not show %s", k.name)
		}
		if !strings.Contains(string(readme), "`"+k.name+"`") && !strings.Contains(string(readme), "`"+last+"`") {
			t.Errorf("README does not document %s", k.name)
		}
	}
	for _, p := range pluginKeyList() {
		if !strings.Contains(string(readme), "`"+p.name+"`") && !strings.Contains(string(readme), "plugin.<name>."+p.name) {
			t.Errorf("README does not document plugin.<name>.%s", p.name)
		}
	}
}

func TestUnknownKeysAreRefusedWithASuggestion(t *testing.T) {
	yaml := "listn: 1\npool:\n  sise: 3\nlimits:\n  call_timout: 1s\nplugin:\n  up:\n    poolsize: 2\n    config: {anything: [goes, here]}\n"
	_, err := load(t, yaml, []string{"RPCHOST_LIMITS_MEMORY_MB=3", "RPCHOST_PLUGIN_UP_CALL_TIMOUT=1s", "RPCHOST_SERVER=x", "RPCHOST_CONFIG="})
	if err == nil {
		t.Fatal("unknown keys were accepted")
	}
	for _, want := range []string{
		"config.yaml:1: unknown key listn (did you mean listen?)",
		"config.yaml:3: unknown key pool.sise (did you mean pool.size?)",
		"config.yaml:5: unknown key limits.call_timout (did you mean limits.call_timeout?)",
		"config.yaml:8: unknown key plugin.up.poolsize (did you mean plugin.up.pool_size?)",
		"RPCHOST_LIMITS_MEMORY_MB: unknown variable (did you mean RPCHOST_LIMITS_MEMORY_MIB?)",
		"RPCHOST_PLUGIN_UP_CALL_TIMOUT: unknown variable (did you mean RPCHOST_PLUGIN_UP_CALL_TIMEOUT?)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 6 {
		t.Errorf("%d errors, want 6:\n%v", n, err)
	}
}

func TestBadValuesAreRefusedInTheConfigurationsTerms(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"pool:\n  size: 0\n", "config.yaml:2: pool.size: 0 is below 1"},
		{"limits:\n  memory_mib: -3\n", "config.yaml:2: limits.memory_mib: -3 is below 1"},
		{"limits:\n  memory_mib: 5000\n", "limits.memory_mib: 5000 is above 4096"},
		{"limits:\n  max_depth: 129\n", "limits.max_depth: 129 is above 128, the nesting the ABI carries"},
		{"limits:\n  call_timeout: -1s\n", "config.yaml:2: limits.call_timeout: -1s is negative"},
		{"http:\n  read_timeout: soon\n", `http.read_timeout: "soon" is not a duration`},
		{"watch:\n  enabled: maybe\n", `watch.enabled: "maybe" is not true or false`},
		{"limits:\n  max_items: lots\n", `limits.max_items: "lots" is not a whole number`},
		{"pool: 8\n", "config.yaml:1: pool: want a mapping of keys"},
		{"- a\n", "config.yaml:1: the configuration: want a mapping of keys, not a list"},
		{"plugin:\n  up: 3\n", `config.yaml:2: plugin.up: want a mapping of keys, not "3"`},
		{"listen: [a]\n", "listen: want a single value, not a list"},
		{"pool:\n  size: 2\n  size: 3\n", "config.yaml:3: pool.size is given twice (first on line 2)"},
		{"plugin:\n  up:\n    memory_mib: 0\n", "config.yaml:3: plugin.up.memory_mib: 0 is below 1"},
		{"plugin:\n  up:\n    grants: log\n", "plugin.up.grants: want a list"},
		{"store:\n  max_value_bytes: 0\n", "store.max_value_bytes: 0 is below 1"},
	}
	for _, tc := range cases {
		_, err := load(t, tc.yaml, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
	_, err := load(t, "", []string{"RPCHOST_POOL_SIZE=-2"})
	if err == nil || !strings.Contains(err.Error(), "RPCHOST_POOL_SIZE: pool.size: -2 is below 1") {
		t.Errorf("RPCHOST_POOL_SIZE=-2: %v", err)
	}
}

func TestYAMLErrorsNameTheLine(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"listen: a\npool:\n  size: [3\nlog: {}\n", "config.yaml:3: did not find expected ',' or ']'"}, // a parser error
		{"listen: a\npool:\n  size: 3\n   bad: x\n", "config.yaml:4: mapping values are not allowed"},  // a scanner error
		{"listen: a\n- b\n", "config.yaml:2: did not find expected key"},
	}
	for _, tc := range cases {
		_, err := load(t, tc.yaml, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestPerPluginKeysFromTheEnvironment(t *testing.T) {
	s := mustLoad(t, "plugin:\n  up:\n    pool_size: 3\n", []string{
		"RPCHOST_PLUGIN_UP_CALL_TIMEOUT=500ms",
		"RPCHOST_PLUGIN_MY_PLUGIN_MAX_QUEUE=7",
		"RPCHOST_PLUGIN_BATCH_CALL_TIMEOUT=0",
		"RPCHOST_PLUGIN_UP_GRANTS=log, kv",
	})
	up := limitsOf(t, s, "up")
	if up.CallTimeout != 500*time.Millisecond || up.PoolSize != 3 {
		t.Errorf("plugin up: %+v, want call_timeout 500ms from the environment and pool_size 3 from the file", up)
	}
	if mine := limitsOf(t, s, "my_plugin"); mine.MaxQueue != 7 {
		t.Errorf("plugin my_plugin: %+v, want max_queue 7", mine)
	}
	if batch := limitsOf(t, s, "batch"); batch.CallTimeout != 0 || batch.PoolSize != 8 {
		t.Errorf("plugin batch: %+v, want no call timeout and the default pool size", batch)
	}
	if _, err := load(t, "", []string{"RPCHOST_PLUGIN_UP_CONFIG=x"}); err == nil || !strings.Contains(err.Error(), "cannot be set from the environment") {
		t.Errorf("RPCHOST_PLUGIN_UP_CONFIG: %v", err)
	}
}

func limitsOf(t *testing.T, s *settings, plugin string) host.Limits {
	t.Helper()
	return s.cfg.PluginLimits(plugin)
}

func TestPerPluginCallTimeoutZeroIsNoLimit(t *testing.T) {
	s := mustLoad(t, "limits:\n  call_timeout: 3s\nplugin:\n  slow:\n    call_timeout: 0\n  other:\n    pool_size: 2\n", nil)
	if got := limitsOf(t, s, "slow").CallTimeout; got != 0 {
		t.Errorf("plugin.slow.call_timeout: 0 gave %v, want no limit", got)
	}
	if got := limitsOf(t, s, "other").CallTimeout; got != 3*time.Second {
		t.Errorf("plugin other inherits %v, want 3s", got)
	}
}

func TestStoreSettings(t *testing.T) {
	s := mustLoad(t, "store:\n  driver: postgres\n  dsn: host=/tmp dbname=rpchost\n  max_key_bytes: 10\n", nil)
	st, err := s.storeConfig()
	if err != nil || st.Driver != "postgres" || st.Target != "host=/tmp dbname=rpchost" || st.Limits.MaxKeyBytes != 10 || st.Limits.MaxValueBytes != 1<<20 {
		t.Errorf("storeConfig = %+v, %v", st, err)
	}
	s = mustLoad(t, "", []string{"RPCHOST_STORE_DRIVER=postgres"})
	if _, err := s.storeConfig(); err == nil || !strings.Contains(err.Error(), "RPCHOST_STORE_DSN") {
		t.Errorf("postgres without a DSN: %v, want an error naming RPCHOST_STORE_DSN", err)
	}
}

func TestBadAliasIsReported(t *testing.T) {
	if _, err := mustLoad(t, "", []string{"RPCHOST_ALIASES=add"}).parsedAliases(); err == nil {
		t.Error("an alias without = was accepted")
	}
}

func TestPluginConfigIsFreeForm(t *testing.T) {
	s := mustLoad(t, "plugin:\n  records:\n    config:\n      max_value: 1000\n      sources: [a, b]\n      nested: {x: 1}\n", nil)
	if _, err := s.hostConfig(nil); err != nil {
		t.Error(err)
	}
}

func TestServerURL(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:19001":        "http://127.0.0.1:19001/",
		":8088":                  "http://127.0.0.1:8088/",
		"0.0.0.0:8088":           "http://127.0.0.1:8088/",
		"[::]:8088":              "http://127.0.0.1:8088/",
		"localhost:1":            "http://localhost:1/",
		"http://h:1":             "http://h:1/",
		"https://h:1/RPC2":       "https://h:1/RPC2",
		"http://127.0.0.1:8088/": "http://127.0.0.1:8088/",
	}
	for in, want := range cases {
		if got, err := serverURL(in, "http"); err != nil || got != want {
			t.Errorf("serverURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := serverURL("nocolon", "http"); err == nil {
		t.Error("serverURL accepted an address without a port")
	}
}

func TestEditDistanceAndSuggestion(t *testing.T) {
	if d := editDistance("pool.sise", "pool.size"); d != 1 {
		t.Errorf("distance %d", d)
	}
	if s := suggestion("zzzzzz", []string{"listen"}); s != "" {
		t.Errorf("suggested %q for a word like no key", s)
	}
}

func TestPluginNamesMatchWhateverTheirCase(t *testing.T) {
	s := mustLoad(t, "plugin:\n  Up:\n    pool_size: 3\n", []string{"RPCHOST_PLUGIN_UP_MAX_QUEUE=9"})
	if l := limitsOf(t, s, "up"); l.PoolSize != 3 || l.MaxQueue != 9 {
		t.Errorf("plugin up: %+v, want pool_size 3 from the file and max_queue 9 from the environment", l)
	}
	if _, err := load(t, "plugin:\n  up: {}\n  UP: {}\n", nil); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("a plugin given twice in two cases: %v", err)
	}
}

func TestYAMLAliasesAreFollowed(t *testing.T) {
	s := mustLoad(t, "limits:\n  max_queue: &q 5\nplugin:\n  up:\n    max_queue: *q\n", nil)
	if s.cfg.Limits().MaxQueue != 5 || limitsOf(t, s, "up").MaxQueue != 5 {
		t.Errorf("limits %+v, up %+v", s.cfg.Limits(), limitsOf(t, s, "up"))
	}
}

func TestLoadTimeoutAndIsolationPerPlugin(t *testing.T) {
	s := mustLoad(t, "limits:\n  load_timeout: 2s\nplugin:\n  records:\n    load_timeout: 20s\n    isolation: call\n",
		[]string{"RPCHOST_PLUGIN_OTHER_ISOLATION=call", "RPCHOST_LIMITS_MAX_INFLIGHT_BYTES=40000000", "RPCHOST_STORE_MAX_TXN_BYTES=2000000"})
	if r := limitsOf(t, s, "records"); r.LoadTimeout != 20*time.Second || r.Isolation != host.IsolationCall {
		t.Errorf("plugin records: %+v", r)
	}
	if o := limitsOf(t, s, "other"); o.LoadTimeout != 2*time.Second || o.Isolation != host.IsolationCall {
		t.Errorf("plugin other: %+v", o)
	}
	if s.cfg.MaxInflightBytes() != 40000000 || s.store.limits.MaxTxnBytes != 2000000 {
		t.Errorf("max_inflight_bytes %d, max_txn_bytes %d", s.cfg.MaxInflightBytes(), s.store.limits.MaxTxnBytes)
	}
	// A zero load timeout is refused by the host, in the key's name.
	s = mustLoad(t, "limits:\n  load_timeout: 0\n", nil)
	cfg, err := s.hostConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := host.New(t.Context(), cfg.WithPluginDir(t.TempDir())); err == nil || !strings.Contains(err.Error(), "limits.load_timeout: 0s is not positive") {
		t.Errorf("load_timeout 0: %v", err)
	}
}

func TestAdminTokenMustBeASecret(t *testing.T) {
	for _, c := range []struct {
		yaml string
		env  []string
		want string
	}{
		{"admin:\n  token: \" \"\n", nil, `config.yaml:2: admin.token: the token is only whitespace`},
		{"admin:\n  token: \"\\t\"\n", nil, `admin.token: the token is only whitespace`},
		{"admin:\n  token: \" s3cret\"\n", nil, `config.yaml:2: admin.token: the token has leading or trailing whitespace`},
		{"admin:\n  token: \"s3cret\\n\"\n", nil, `admin.token: the token has leading or trailing whitespace`},
		{"", []string{"RPCHOST_ADMIN_TOKEN=s3cret "}, `RPCHOST_ADMIN_TOKEN: admin.token:`},
	} {
		_, err := load(t, c.yaml, c.env)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %q: %v, want %q", c.yaml, c.env, err, c.want)
		}
	}
	for _, ok := range []string{"", "s3cret", "a b"} {
		s, err := load(t, "", []string{"RPCHOST_ADMIN_TOKEN=" + ok})
		if err != nil || s.adminToken != ok {
			t.Errorf("token %q: %v", ok, err)
		}
	}
}

func TestPerPluginKeysNeedANamePluginsCanHave(t *testing.T) {
	for _, c := range []struct {
		yaml string
		env  []string
		want string
	}{
		{"", []string{"RPCHOST_PLUGIN_A.B_POOL_SIZE=1"}, "RPCHOST_PLUGIN_A.B_POOL_SIZE: plugin.a.b.pool_size: no plugin can have this name"},
		{"", []string{"RPCHOST_PLUGIN__X_POOL_SIZE=1"}, `starts with "_"`},
		{"", []string{"RPCHOST_PLUGIN_SYSTEM_POOL_SIZE=1"}, "reserved"},
		{"plugin:\n  a.b:\n    pool_size: 1\n", nil, "config.yaml:2: plugin.a.b: no plugin can have this name"},
		{"plugin:\n  ｘ:\n    pool_size: 1\n", nil, `has 'ｘ'`},
		{"plugin:\n  \"\":\n    pool_size: 1\n", nil, "1 to 64 characters"},
		{"plugin:\n  plugins:\n    pool_size: 1\n", nil, "reserved"},
	} {
		_, err := load(t, c.yaml, c.env)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %q: %v, want %q", c.yaml, c.env, err, c.want)
		}
	}
	mustLoad(t, "plugin:\n  My_Plugin:\n    pool_size: 1\n", []string{"RPCHOST_PLUGIN_MY_PLUGIN_POOL_SIZE=2"})
}
