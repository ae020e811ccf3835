package host

import (
	"fmt"
	"os"
	"unicode/utf8"
)

// deploySettings are the deploy.* keys.
type deploySettings struct {
	dsn          string // "" = one machine: the version log lives beside the plugins
	keepVersions int
	replica      string // "" = the host name
}

// WithDeployDSN distributes plugins through the PostgreSQL database at dsn
// (deploy.dsn): uploads, removals and rollbacks on any replica sharing it
// reach every other. "" (the default) keeps plugins on this machine.
func (c Config) WithDeployDSN(dsn string) Config { c.deploy.dsn = dsn; return c }

// WithKeepVersions sets how many entries of each plugin's version log are
// kept, and so how far back a rollback can go (deploy.keep_versions).
func (c Config) WithKeepVersions(n int) Config { c.deploy.keepVersions = n; return c }

// WithReplicaName names this replica in the version log and the audit
// trail (deploy.replica); "" means the machine's host name.
func (c Config) WithReplicaName(name string) Config { c.deploy.replica = name; return c }

// DeployDSN reports deploy.dsn.
func (c Config) DeployDSN() string { return c.deploy.dsn }

// KeepVersions reports deploy.keep_versions.
func (c Config) KeepVersions() int { return c.deploy.keepVersions }

// ReplicaName reports deploy.replica as set ("" for the host name).
func (c Config) ReplicaName() string { return c.deploy.replica }

// maxKeepVersions bounds the versions kept per plugin: each may hold a
// module of admin.max_upload_bytes.
const maxKeepVersions = 1000

func (c Config) validateDeploy() []error {
	var errs []error
	if c.deploy.keepVersions < 1 || c.deploy.keepVersions > maxKeepVersions {
		errs = append(errs, fmt.Errorf("deploy.keep_versions: %d is not between 1 and %d", c.deploy.keepVersions, maxKeepVersions))
	}
	if len(c.deploy.replica) > 100 || !utf8.ValidString(c.deploy.replica) {
		errs = append(errs, fmt.Errorf("deploy.replica: want at most 100 bytes of UTF-8"))
	}
	return errs
}

// replicaName is deploy.replica, or the host name.
func (c Config) replicaName() string {
	if c.deploy.replica != "" {
		return c.deploy.replica
	}
	if name, err := os.Hostname(); err == nil && name != "" {
		return name
	}
	return "unknown"
}
