package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func settingsFor(t *testing.T, args ...string) *settings {
	t.Helper()
	cmd := newServeCommand()
	cmd.PersistentFlags().String("config", "", "")
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	s, err := loadSettings(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSettingsPrecedenceFileEnvFlag(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	yaml := "listen: 127.0.0.1:9000\nplugins: fromfile\npool:\n  size: 3\nlimits:\n  call_timeout: 2s\naliases: [add=numeric.add]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RPCHOST_POOL_SIZE", "5")
	t.Setenv("RPCHOST_PLUGINS", "fromenv")
	s := settingsFor(t, "--config", file, "--plugins", "fromflag")
	if s.Listen != "127.0.0.1:9000" || s.Plugins != "fromflag" || s.Pool.Size != 5 || s.Limits.CallTimeout != 2*time.Second {
		t.Errorf("settings %+v: want listen from the file, plugins from the flag, pool size from the environment", s)
	}
	aliases, err := s.aliases()
	if err != nil || aliases["add"] != "numeric.add" {
		t.Errorf("aliases = %v, %v", aliases, err)
	}
}

func TestSettingsDefaultsWithoutAFile(t *testing.T) {
	t.Chdir(t.TempDir())
	s := settingsFor(t)
	if s.Listen != "127.0.0.1:8088" || s.Plugins != "plugins" || s.Pool.Size != 8 || s.Limits.MemoryMiB != 64 {
		t.Errorf("defaults %+v", s)
	}
	if _, err := s.hostConfig(nil); err != nil {
		t.Error(err)
	}
}

func TestShippedConfigFileMatchesTheDefaults(t *testing.T) {
	s := settingsFor(t, "--config", "../../config.yaml")
	if s.Listen != "127.0.0.1:8088" || s.Plugins != "plugins" || s.Pool.Size != 8 || s.Limits.CallTimeout != 5*time.Second {
		t.Errorf("config.yaml gives %+v", s)
	}
}

func TestBadAliasIsReported(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("RPCHOST_ALIASES", "add")
	if _, err := settingsFor(t).aliases(); err == nil {
		t.Error("an alias without = was accepted")
	}
}

func TestPerPluginSettingsAndStore(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	yaml := `plugin:
  records:
    call_timeout: 30s
    load_timeout: 20s
    pool_size: 2
    grants: [kv, log]
    config:
      max_value: 1000
      sources: [a, b]
store:
  driver: postgres
  dsn: host=/tmp dbname=rpchost
`
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	s := settingsFor(t, "--config", file)
	p := s.Plugin["records"]
	if p.CallTimeout != 30*time.Second || p.LoadTimeout != 20*time.Second || p.PoolSize != 2 || len(p.Grants) != 2 || p.Config["max_value"] != 1000 {
		t.Errorf("plugin.records = %+v", p)
	}
	st, err := s.storeConfig()
	if err != nil || st.Driver != "postgres" || st.Target != "host=/tmp dbname=rpchost" {
		t.Errorf("storeConfig = %+v, %v", st, err)
	}
	if _, err := s.hostConfig(nil); err != nil {
		t.Error(err)
	}
	t.Setenv("RPCHOST_STORE_DSN", "")
	t.Setenv("RPCHOST_STORE_DRIVER", "postgres")
	t.Chdir(t.TempDir())
	if _, err := settingsFor(t).storeConfig(); err == nil || !strings.Contains(err.Error(), "RPCHOST_STORE_DSN") {
		t.Errorf("postgres without a DSN: %v, want an error naming RPCHOST_STORE_DSN", err)
	}
}
