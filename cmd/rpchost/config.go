package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rpchost/rpchost/host"
)

// settings is the configuration after config.yaml, RPCHOST_* variables and
// flags have been applied, in that order (flags win). Keys that configure
// the host live in cfg; the others, which the command uses itself, in the
// fields below. keys.go lists them all.
type settings struct {
	cfg        host.Config
	listen     string
	cacheDir   string
	aliases    []string
	adminToken string
	store      struct {
		driver, dir, dsn string
		limits           host.StoreLimits
	}
	http struct {
		readHeader, read, write, idle time.Duration
		maxConnections                int
		maxHeaderBytes                int
		drainGrace                    time.Duration // /readyz says 503 this long before the listener closes
	}
	metrics struct {
		listen string // "" = /metrics on the main port
		remote bool   // allow an address other than loopback
	}
	tls   struct{ certFile, keyFile string } // both or neither (tls.go)
	log   struct{ level, format string }
	debug struct {
		pprofListen string // "" off
		pprofRemote bool   // allow an address other than loopback
	}

	file string // the configuration file read; "" when none was
}

// newSettings holds the defaults of the command's own keys; the host's come
// from host.NewConfig.
func newSettings() *settings {
	s := &settings{cfg: host.NewConfig(), listen: "127.0.0.1:8088", aliases: []string{}}
	s.store.driver, s.store.dir = "bbolt", "data"
	s.store.limits = s.cfg.Store().Limits
	s.http.readHeader, s.http.read, s.http.write, s.http.idle = 10*time.Second, 60*time.Second, 60*time.Second, 120*time.Second
	s.http.maxConnections = 1024
	s.http.maxHeaderBytes = 32 << 10
	s.http.drainGrace = 5 * time.Second
	s.log.level, s.log.format = "info", "text"
	return s
}

// flagKeys binds command-line flags to configuration keys.
var flagKeys = map[string]string{"listen": "listen", "plugins": "plugins"}

// loadSettings reads the configuration file (--config, else RPCHOST_CONFIG,
// else ./config.yaml when present), then the environment, then the flags,
// and reports every unknown key and bad value at once.
func loadSettings(cmd *cobra.Command) (*settings, error) {
	s := newSettings()
	file, _ := cmd.Flags().GetString("config")
	if file == "" {
		file = os.Getenv("RPCHOST_CONFIG")
	}
	var errs []error
	switch data, err := readConfig(file); {
	case err != nil:
		return nil, err
	case data != nil:
		if file == "" {
			file = "config.yaml"
		}
		s.file = file
		errs = append(errs, s.applyYAML(file, data)...)
	}
	errs = append(errs, s.applyEnv(os.Environ())...)
	for flag, name := range flagKeys {
		if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
			errs = append(errs, s.setRaw(keyNamed(name), f.Value.String(), "--"+flag))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// readConfig reads the named file, or ./config.yaml when file is "" and
// one exists (nil data when none does).
func readConfig(file string) ([]byte, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", file, err)
		}
		return data, nil
	}
	data, err := os.ReadFile("config.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config config.yaml: %w", err)
	}
	return data, nil
}

// keyNamed finds a key of keys by name; nil if there is none.
func keyNamed(name string) *key {
	for i := range keys {
		if keys[i].name == name {
			return &keys[i]
		}
	}
	return nil
}

// setRaw parses a value written as text (the environment, a flag) and sets it.
func (s *settings) setRaw(k *key, raw, where string) error {
	v, err := parseValue(raw, k.kind)
	if err == nil {
		err = checkRange(v, k.min, k.max, k.why)
	}
	if err == nil && k.check != nil {
		err = k.check(v)
	}
	if err != nil {
		return fmt.Errorf("%s: %s: %w", where, k.name, err)
	}
	k.set(s, v)
	return nil
}

func (s *settings) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.log.level)); err != nil {
		return nil, fmt.Errorf("log.level %q: want debug, info, warn or error", s.log.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch s.log.format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("log.format %q: want text or json", s.log.format)
}

// resolvedCacheDir resolves cache.dir: "" means the user's cache
// directory, "off" disables the compilation cache.
func (s *settings) resolvedCacheDir() string {
	switch s.cacheDir {
	case "off":
		return ""
	case "":
		dir, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(dir, "rpchost", "wazero")
	}
	return s.cacheDir
}

// storeConfig picks the store's target for its driver; "off" disables it.
func (s *settings) storeConfig() (host.StoreConfig, error) {
	switch s.store.driver {
	case "off", "":
		return host.StoreConfig{}, nil
	case "bbolt":
		return host.StoreConfig{Driver: "bbolt", Target: s.store.dir, Limits: s.store.limits}, nil
	case "postgres":
		if s.store.dsn == "" {
			return host.StoreConfig{}, fmt.Errorf("store.driver is postgres but store.dsn (RPCHOST_STORE_DSN) is empty")
		}
		return host.StoreConfig{Driver: "postgres", Target: s.store.dsn, Limits: s.store.limits}, nil
	}
	return host.StoreConfig{}, fmt.Errorf("store.driver %q: want bbolt, postgres or off", s.store.driver)
}

// storeLocation says where data is kept, for the start-up log; a DSN may
// hold a password, so it is not shown.
func (s *settings) storeLocation() string {
	switch s.store.driver {
	case "off", "":
		return "off"
	case "postgres":
		return "postgres (store.dsn)"
	}
	if abs, err := filepath.Abs(s.store.dir); err == nil {
		return "bbolt " + abs
	}
	return "bbolt " + s.store.dir
}

// parsedAliases parses the "bare=qualified" entries of the aliases key.
func (s *settings) parsedAliases() (map[string]string, error) {
	out := make(map[string]string, len(s.aliases))
	for _, a := range s.aliases {
		bare, target, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("aliases: %q is not bare=qualified (e.g. add=numeric.add)", a)
		}
		out[strings.TrimSpace(bare)] = strings.TrimSpace(target)
	}
	return out, nil
}

// hostConfig is the host's configuration; host.New validates it.
func (s *settings) hostConfig(logger *slog.Logger) (host.Config, error) {
	aliases, err := s.parsedAliases()
	if err != nil {
		return host.Config{}, err
	}
	st, err := s.storeConfig()
	if err != nil {
		return host.Config{}, err
	}
	return s.cfg.
		WithAliases(aliases).
		WithAdmin(s.adminToken, s.cfg.MaxUploadBytes()).
		WithCompilationCacheDir(s.resolvedCacheDir()).
		WithStore(st).
		WithMetricsRoute(s.metrics.listen == ""). // metrics.listen moves /metrics off the main port
		WithLogger(logger), nil
}

// knownNames lists every key, for suggestions and documentation tests.
func knownNames() []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.name)
	}
	for _, p := range pluginKeyList() {
		out = append(out, "plugin.<name>."+p.name)
	}
	out = append(out, "plugin.<name>.config", "auth.callers")
	slices.Sort(out)
	return out
}
