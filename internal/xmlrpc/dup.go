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

// add reports whether name is among prev, the names before it, and
// records it. Successive calls must pass the same prev, grown by one.
func (f *dupFinder) add(name string, prev []string) bool {
	if f.seen == nil && len(prev) < dupLinearMax {
		// addName's loop, without a call through nameOf per name: this
		// runs for every member of every struct in a request.
		for _, p := range prev {
			if p == name {
				return true
			}
		}
		return false
	}
	return addName(f, name, prev, func(s *string) string { return *s })
}

// addMember is add over the members of a struct being encoded.
func (f *dupFinder) addMember(name string, prev []abi.Member) bool {
	return addName(f, name, prev, func(m *abi.Member) string { return m.Name })
}

func addName[E any](f *dupFinder, name string, prev []E, nameOf func(*E) string) bool {
	if f.seen == nil && len(prev) < dupLinearMax {
		for i := range prev {
			if nameOf(&prev[i]) == name {
				return true
			}
		}
		return false
	}
	if f.seen == nil {
		f.seen = make(map[string]struct{}, 2*len(prev))
		for i := range prev {
			f.seen[nameOf(&prev[i])] = struct{}{}
		}
	}
	if _, ok := f.seen[name]; ok {
		return true
	}
	f.seen[name] = struct{}{}
	return false
}
