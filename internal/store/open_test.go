package store

import (
	"strings"
	"testing"
)

func TestOpenRefuses(t *testing.T) {
	for _, c := range []struct{ driver, target, want string }{
		{"sqlite", "x", `"sqlite": want bbolt or postgres`},
		{"", "x", "want bbolt or postgres"},
		{"postgres", "", "empty DSN"},
		{"bbolt", "", "empty data directory"},
	} {
		s, err := Open(bg(), c.driver, c.target, Limits{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%q, %q) succeeded", c.driver, c.target)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q, %q): %v, want it to say %q", c.driver, c.target, err, c.want)
		}
	}
}
