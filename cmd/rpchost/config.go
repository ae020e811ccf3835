package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/store"
)

// settings is the configuration after config.yaml, RPCHOST_* variables and
// flags have been merged, in that order of precedence (flags win).
type settings struct {
	Listen  string
	Plugins string
	Pool    struct{ Size int }
	Limits  struct {
		procedureLimits `mapstructure:",squash"`
		MaxBodyBytes    int64 `mapstructure:"max_body_bytes"`
		MaxInflight     int64 `mapstructure:"max_inflight_bytes"`
		MaxDepth        int   `mapstructure:"max_depth"`
		MaxItems        int   `mapstructure:"max_items"`
		MaxMulticall    int   `mapstructure:"max_multicall"`
	}
	// Plugin holds per-plugin overrides: plugin.<name>.<limit>.
	Plugin map[string]struct {
		procedureLimits `mapstructure:",squash"`
		PoolSize        int            `mapstructure:"pool_size"`
		Config          map[string]any // what the plugin reads with config_get
		Grants          []string       // capabilities it may import; unset: all
	}
	Store struct {
		Driver         string
		Dir            string
		DSN            string
		MaxKeyBytes    int   `mapstructure:"max_key_bytes"`
		MaxValueBytes  int   `mapstructure:"max_value_bytes"`
		MaxPluginBytes int64 `mapstructure:"max_plugin_bytes"`
		MaxTxnBytes    int64 `mapstructure:"max_txn_bytes"`
		MaxScanBytes   int64 `mapstructure:"max_scan_bytes"`
	}
	Cache struct{ Dir string }
	HTTP  struct {
		ReadHeaderTimeout time.Duration `mapstructure:"read_header_timeout"`
		ReadTimeout       time.Duration `mapstructure:"read_timeout"`
		WriteTimeout      time.Duration `mapstructure:"write_timeout"`
		IdleTimeout       time.Duration `mapstructure:"idle_timeout"`
	}
	Aliases []string
	Admin   struct {
		Token          string
		MaxUploadBytes int64 `mapstructure:"max_upload_bytes"`
	}
	Watch struct {
		Enabled  bool
		Debounce time.Duration
		Poll     time.Duration
	}
	Log struct{ Level, Format string }
}

// procedureLimits are the limits a plugin override may change too.
type procedureLimits struct {
	CallTimeout    time.Duration `mapstructure:"call_timeout"`
	MemoryMiB      uint64        `mapstructure:"memory_mib"`
	MaxQueue       int           `mapstructure:"max_queue"`
	MaxResultBytes int           `mapstructure:"max_result_bytes"`
	MaxOutputBytes int           `mapstructure:"max_output_bytes"`
	Isolation      string        `mapstructure:"isolation"`
	LoadTimeout    time.Duration `mapstructure:"load_timeout"`
}

func (p procedureLimits) hostLimits(poolSize int) host.Limits {
	return host.Limits{
		CallTimeout:    p.CallTimeout,
		MemoryBytes:    p.MemoryMiB << 20,
		PoolSize:       poolSize,
		MaxQueue:       p.MaxQueue,
		MaxResultBytes: p.MaxResultBytes,
		MaxOutputBytes: p.MaxOutputBytes,
		Isolation:      host.Isolation(p.Isolation),
		LoadTimeout:    p.LoadTimeout,
	}
}

var defaults = map[string]any{
	"listen":                   "127.0.0.1:8088",
	"plugins":                  "plugins",
	"pool.size":                8,
	"limits.call_timeout":      "5s",
	"limits.memory_mib":        64,
	"limits.max_queue":         128,
	"limits.max_result_bytes":  16 << 20,
	"limits.max_output_bytes":  64 << 10,
	"limits.isolation":         "instance",
	"limits.load_timeout":      "5s",
	"limits.max_body_bytes":    16 << 20,
	"limits.max_depth":         64,
	"limits.max_items":         1_000_000,
	"limits.max_multicall":     1000,
	"cache.dir":                "",
	"http.read_header_timeout": "10s",
	"http.read_timeout":        "60s",
	"http.write_timeout":       "60s",
	"http.idle_timeout":        "120s",
	"aliases":                  []string{},
	"store.driver":             "bbolt",
	"store.dir":                "data",
	"store.dsn":                "",
	"store.max_key_bytes":      1024,
	"store.max_value_bytes":    1 << 20,
	"store.max_plugin_bytes":   256 << 20,
	"store.max_txn_bytes":      8 << 20,
	"store.max_scan_bytes":     8 << 20,
	"admin.token":              "",
	"admin.max_upload_bytes":   64 << 20,
	"watch.enabled":            true,
	"watch.debounce":           "100ms",
	"watch.poll":               "1s",
	"log.level":                "info",
	"log.format":               "text",

	"limits.max_inflight_bytes": 64 << 20,
}

// flagKeys binds command-line flags to configuration keys.
var flagKeys = map[string]string{"listen": "listen", "plugins": "plugins"}

func loadSettings(cmd *cobra.Command) (*settings, error) {
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("RPCHOST")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	for flag, key := range flagKeys {
		if f := cmd.Flags().Lookup(flag); f != nil {
			if err := v.BindPFlag(key, f); err != nil {
				return nil, err
			}
		}
	}
	file, _ := cmd.Flags().GetString("config")
	if file == "" {
		file = os.Getenv("RPCHOST_CONFIG")
	}
	switch {
	case file != "":
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("config %s: %w", file, err)
		}
	default:
		v.SetConfigFile("config.yaml")
		if err := v.ReadInConfig(); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config config.yaml: %w", err)
		}
	}
	var s settings
	if err := v.Unmarshal(&s); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &s, nil
}

func (s *settings) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.Log.Level)); err != nil {
		return nil, fmt.Errorf("log.level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch s.Log.Format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("log.format %q: want text or json", s.Log.Format)
}

// cacheDir resolves cache.dir: "" means the user's cache directory, "off"
// disables the compilation cache.
func (s *settings) cacheDir() string {
	switch s.Cache.Dir {
	case "off":
		return ""
	case "":
		dir, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(dir, "rpchost", "wazero")
	}
	return s.Cache.Dir
}

// storeConfig picks the store's target for its driver; "off" disables it.
func (s *settings) storeConfig() (host.StoreConfig, error) {
	lim := store.Limits{MaxKeyBytes: s.Store.MaxKeyBytes, MaxValueBytes: s.Store.MaxValueBytes, MaxNamespaceBytes: s.Store.MaxPluginBytes,
		MaxTxnBytes: s.Store.MaxTxnBytes, MaxScanBytes: s.Store.MaxScanBytes}
	switch s.Store.Driver {
	case "off", "":
		return host.StoreConfig{}, nil
	case "bbolt":
		return host.StoreConfig{Driver: "bbolt", Target: s.Store.Dir, Limits: lim}, nil
	case "postgres":
		if s.Store.DSN == "" {
			return host.StoreConfig{}, fmt.Errorf("store.driver is postgres but store.dsn (RPCHOST_STORE_DSN) is empty")
		}
		return host.StoreConfig{Driver: "postgres", Target: s.Store.DSN, Limits: lim}, nil
	}
	return host.StoreConfig{}, fmt.Errorf("store.driver %q: want bbolt, postgres or off", s.Store.Driver)
}

// aliases parses the "bare=qualified" entries of the aliases key.
func (s *settings) aliases() (map[string]string, error) {
	out := make(map[string]string, len(s.Aliases))
	for _, a := range s.Aliases {
		bare, target, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("aliases: %q is not bare=qualified (e.g. add=numeric.add)", a)
		}
		out[strings.TrimSpace(bare)] = strings.TrimSpace(target)
	}
	return out, nil
}

func (s *settings) hostConfig(logger *slog.Logger) (host.Config, error) {
	aliases, err := s.aliases()
	if err != nil {
		return host.Config{}, err
	}
	cfg := host.NewConfig().
		WithPluginDir(s.Plugins).
		WithLimits(s.Limits.hostLimits(s.Pool.Size)).
		// 0 means "no limit" here, which WithLimits would read as "keep".
		WithCallTimeout(s.Limits.CallTimeout).
		WithMaxBodyBytes(s.Limits.MaxBodyBytes).
		WithMaxInflightBytes(s.Limits.MaxInflight).
		WithMaxDepth(s.Limits.MaxDepth).
		WithMaxItems(s.Limits.MaxItems).
		WithMaxMulticall(s.Limits.MaxMulticall).
		WithCompilationCacheDir(s.cacheDir()).
		WithAliases(aliases).
		WithAdmin(s.Admin.Token, s.Admin.MaxUploadBytes).
		WithWatch(s.Watch.Enabled, s.Watch.Debounce, s.Watch.Poll).
		WithLogger(logger)
	for name, p := range s.Plugin {
		cfg = cfg.WithPluginLimits(name, p.hostLimits(p.PoolSize))
		if p.Config != nil {
			cfg = cfg.WithPluginConfig(name, p.Config)
		}
		if p.Grants != nil {
			cfg = cfg.WithPluginGrants(name, p.Grants)
		}
	}
	st, err := s.storeConfig()
	if err != nil {
		return host.Config{}, err
	}
	return cfg.WithStore(st), nil
}
