package xmlrpc

// Limits bound what one document may cost. Zero fields mean the default.
//
// The body size is bounded by the transport; these bound what a small body
// can still make the decoder do: deep nesting costs stack, and many tiny
// elements cost far more memory as values than as bytes.
type Limits struct {
	MaxDepth int // nesting of <array>/<struct> values; default 64, at most 10,000 (the decoder recurses per level)
	MaxItems int // total array elements + struct members + params in one document; default 1_000_000
}

const (
	defaultMaxDepth = 64 // what xmlrpc-c allows
	defaultMaxItems = 1_000_000
	// maxMaxDepth keeps the decoder's recursion far from Go's stack limit,
	// whose overflow kills the process, whatever a configuration says.
	maxMaxDepth = 10_000
)

// DefaultLimits returns the limits used for zero fields, so that a caller
// can start from them and change one.
func DefaultLimits() Limits {
	return Limits{MaxDepth: defaultMaxDepth, MaxItems: defaultMaxItems}
}

// withDefaults fills zero (and meaningless negative) fields and caps
// MaxDepth.
func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = defaultMaxDepth
	}
	l.MaxDepth = min(l.MaxDepth, maxMaxDepth)
	if l.MaxItems <= 0 {
		l.MaxItems = defaultMaxItems
	}
	return l
}
