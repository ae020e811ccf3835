package host

import (
	"fmt"
	"strings"
)

// checkPattern refuses a pattern no method name can match, so a typo in
// auth.*.allow is a start-up error rather than a caller locked out.
func checkPattern(p string) error {
	if p == "" {
		return fmt.Errorf("an empty pattern matches no method")
	}
	for _, r := range p {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.:/*", r)
		if !ok {
			return fmt.Errorf("pattern %q: %q cannot be in a method name; a pattern is a name where * matches any run of characters", p, r)
		}
	}
	return nil
}

// matchPattern reports whether name matches p, where * matches any run of
// characters, dots included (records.* matches records.v2.add): method
// names are flat strings, not paths. Like method lookup, it is
// case-sensitive.
func matchPattern(p, name string) bool {
	star := strings.IndexByte(p, '*')
	if star < 0 {
		return p == name
	}
	if !strings.HasPrefix(name, p[:star]) {
		return false
	}
	name = name[star:]
	parts := strings.Split(p[star+1:], "*")
	last := parts[len(parts)-1]
	for _, part := range parts[:len(parts)-1] {
		i := strings.Index(name, part)
		if i < 0 {
			return false
		}
		name = name[i+len(part):]
	}
	return strings.HasSuffix(name, last)
}

// matchAny reports whether any of patterns matches name.
func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if matchPattern(p, name) {
			return true
		}
	}
	return false
}
