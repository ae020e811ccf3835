package rpchost_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The deployment examples docs/deploy.md points to are used, not just
// shown: HAProxy accepts its configuration, the Kubernetes manifests parse
// and their rpchost configuration and variables start the real binary, and
// so does the container image's configuration. (The image itself is not
// built: there is no container engine here.)
func TestDeployExamples(t *testing.T) {
	t.Run("haproxy", func(t *testing.T) {
		haproxy := requireTool(t, "haproxy")
		cmd := exec.Command(haproxy, "-c", "-f", haproxyConfig)
		cmd.Env = append(os.Environ(), "LB_LISTEN=127.0.0.1:8088", "HAPROXY_STATS_SOCKET=/tmp/replicas-check.sock",
			"RPCHOST_1=127.0.0.1:8081", "RPCHOST_2=127.0.0.1:8082", "RPCHOST_3=127.0.0.1:8083")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("haproxy -c -f %s: %v\n%s", haproxyConfig, err, out)
		}
	})

	t.Run("container", func(t *testing.T) {
		for _, src := range dockerfileCopies(t, "Dockerfile") {
			if _, err := os.Stat(src); err != nil {
				t.Errorf("Dockerfile copies %s: %v", src, err)
			}
		}
		cfg, err := filepath.Abs("deploy/container/config.yaml")
		if err != nil {
			t.Fatal(err)
		}
		// --listen, --plugins and the test's cache and store directories
		// win over the image's paths; every other key is the file's.
		s := startServer(t, addDir(t), "RPCHOST_CONFIG="+cfg)
		if got := call(t, dial(t, s.URL), "add", 3, 4); got != int64(7) {
			t.Errorf("add(3, 4) = %v", got)
		}
	})

	t.Run("kubernetes", func(t *testing.T) {
		docs := yamlDocuments(t, "deploy/k8s/rpchost.yaml")
		byKind := map[string]k8sObject{}
		for _, d := range docs {
			byKind[d.Kind] = d
		}
		for _, kind := range []string{"ConfigMap", "Deployment", "Service", "PodDisruptionBudget"} {
			if _, ok := byKind[kind]; !ok {
				t.Fatalf("deploy/k8s/rpchost.yaml has no %s (kinds: %v)", kind, kinds(docs))
			}
		}
		pod := byKind["Deployment"].Spec.Template.Spec
		if len(pod.Containers) != 1 {
			t.Fatalf("%d containers, want 1", len(pod.Containers))
		}
		c := pod.Containers[0]
		if p := c.ReadinessProbe.HTTPGet.Path; p != "/readyz" {
			t.Errorf("readiness probe on %q, want /readyz", p)
		}
		if p := c.LivenessProbe.HTTPGet.Path; p != "/healthz" {
			t.Errorf("liveness probe on %q, want /healthz (a database outage must not restart pods)", p)
		}

		// The ConfigMap's config.yaml and every RPCHOST_ variable of the
		// Deployment start the real binary: an unknown key or variable
		// stops the start. No database is at the DSN, so the store is
		// switched to bbolt (the deploy database being away does not stop
		// a start), and the logs to text.
		cfg := filepath.Join(t.TempDir(), "config.yaml")
		writeFile(t, cfg, []byte(byKind["ConfigMap"].Data["config.yaml"]))
		env := []string{"RPCHOST_CONFIG=" + cfg}
		for _, e := range c.Env {
			if !strings.HasPrefix(e.Name, "RPCHOST_") {
				t.Errorf("variable %s is not rpchost's", e.Name)
			}
			v := "pod-0"
			if strings.HasSuffix(e.Name, "_DSN") {
				v = "postgres://rpchost@127.0.0.1:1/rpchost?connect_timeout=2"
			}
			if e.Name == "RPCHOST_ADMIN_TOKEN" {
				v = "k8s-t0ken"
			}
			env = append(env, e.Name+"="+v)
		}
		env = append(env, "RPCHOST_STORE_DRIVER=bbolt", "RPCHOST_LOG_FORMAT=text")
		s := startServer(t, addDir(t), env...)
		if got := call(t, dial(t, s.URL), "add", 3, 4); got != int64(7) {
			t.Errorf("add(3, 4) = %v", got)
		}
	})
}

// addDir returns a new plugin directory holding plugins/add.wasm.
func addDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))
	return dir
}

// k8sObject is the little of a manifest the test looks at.
type k8sObject struct {
	Kind string            `yaml:"kind"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Env []struct {
						Name string `yaml:"name"`
					} `yaml:"env"`
					ReadinessProbe k8sProbe `yaml:"readinessProbe"`
					LivenessProbe  k8sProbe `yaml:"livenessProbe"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type k8sProbe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
	} `yaml:"httpGet"`
}

func yamlDocuments(t *testing.T, path string) []k8sObject {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(readFile(t, path)))
	dec.KnownFields(false)
	var docs []k8sObject
	for {
		var d k8sObject
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s, document %d: %v", path, len(docs)+1, err)
		}
		docs = append(docs, d)
	}
}

func kinds(docs []k8sObject) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.Kind)
	}
	return out
}

// dockerfileCopies returns the build-context sources of the Dockerfile's
// COPY lines (not those copied from a build stage).
func dockerfileCopies(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, path)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[0] != "COPY" {
			continue
		}
		args := f[1 : len(f)-1] // the last is the destination
		if strings.HasPrefix(args[0], "--from=") || len(args) > 1 && strings.HasPrefix(args[1], "--from=") {
			continue
		}
		for _, a := range args {
			if !strings.HasPrefix(a, "--") {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no COPY from the build context", path)
	}
	return out
}
