package xmlrpc

import "github.com/rpchost/rpchost/abi"

// dupFinder spots a repeated struct member name. Comparing with every
// earlier name is fastest for the few members real structs have, but would
// let one struct of a million members cost 10^12 comparisons, so past a
// handful the names go into a set.
type dupFinder struct {
	seen map[string]struct{}
}

const dupLinearMax = 16

// add reports whether name is among prev, the members before it, and
// records it. Successive calls must pass the same prev, grown by one.
func (f *dupFinder) add(name string, prev []abi.Member) bool {
	if f.seen == nil && len(prev) < dupLinearMax {
		for i := range prev {
			if prev[i].Name == name {
				return true
			}
		}
		return false
	}
	if f.seen == nil {
		f.seen = make(map[string]struct{}, 2*len(prev))
		for i := range prev {
			f.seen[prev[i].Name] = struct{}{}
		}
	}
	if _, ok := f.seen[name]; ok {
		return true
	}
	f.seen[name] = struct{}{}
	return false
}
