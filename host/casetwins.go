package host

import (
	"fmt"
	"slices"
	"strings"
)

// Plugin names are case-sensitive on disk and in method names, but the
// configuration matches them case-insensitively (byName: viper lower-cases
// keys), so plugin.up.* would configure both up and UP. Names that differ
// only in case are therefore refused: one of them is served, the other is
// reported with the name it collides with.

// errCaseTwin says why name is refused.
func errCaseTwin(name, other string) error {
	return fmt.Errorf("%w: plugin name %q differs only in case from plugin %q, and the configuration "+
		"(plugin.<name>.…) cannot tell them apart; rename one", ErrBadPluginName, name, other)
}

// caseTwin returns a name of others that equals name but for case.
func caseTwin(name string, others []string) (string, bool) {
	for _, o := range others {
		if o != name && strings.EqualFold(o, name) {
			return o, true
		}
	}
	return "", false
}

// caseLosers picks, among names that differ only in case, the one to serve
// (a loaded one, else the first in byte order) and returns each of the
// others mapped to the one that was picked. Plugin names are ASCII
// (checkPluginName), so lower-casing them groups the twins.
func caseLosers(names, loaded []string) map[string]string {
	groups := map[string][]string{}
	for _, n := range slices.Sorted(slices.Values(names)) {
		k := strings.ToLower(n)
		groups[k] = append(groups[k], n)
	}
	losers := map[string]string{}
	for _, group := range groups {
		if len(group) == 1 {
			continue
		}
		winner := group[0]
		if j := slices.IndexFunc(group, func(g string) bool { return slices.Contains(loaded, g) }); j >= 0 {
			winner = group[j]
		}
		for _, g := range group {
			if g != winner {
				losers[g] = winner
			}
		}
	}
	return losers
}
