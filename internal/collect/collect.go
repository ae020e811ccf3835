// Package collect gathers the elements of a list being decoded, for the
// codecs (internal/xmlrpc, internal/jsonrpc), with as few allocations and
// copies as a list of unknown length allows.
package collect

// List gathers the elements of one array, struct or params list.
// The first few live in the collector itself, on the caller's stack, so a
// small list costs exactly one allocation of its final size. A long list
// moves to the heap and doubles its capacity as it grows, so each element
// is copied about once (append grows big slices by only a quarter, which
// copies each element about five times), and is returned without a final
// copy.
type List[T any] struct {
	small [8]T
	n     int
	heap  []T // never aliases small, so small never escapes
}

func (c *List[T]) Add(v T) {
	if c.heap == nil {
		if c.n < len(c.small) {
			c.small[c.n] = v
			c.n++
			return
		}
		c.heap = make([]T, c.n, 4*len(c.small))
		copy(c.heap, c.small[:c.n])
	}
	if len(c.heap) == cap(c.heap) {
		grown := make([]T, len(c.heap), 2*cap(c.heap))
		copy(grown, c.heap)
		c.heap = grown
	}
	c.heap = append(c.heap, v)
}

// SoFar returns the elements collected so far, valid until the next Add.
func (c *List[T]) SoFar() []T {
	if c.heap != nil {
		return c.heap
	}
	return c.small[:c.n]
}

// Result returns the elements as a non-nil slice: an empty list is an
// empty array or struct, which encoders write differently from nil.
func (c *List[T]) Result() []T {
	if c.heap != nil {
		return c.heap[:len(c.heap):len(c.heap)]
	}
	out := make([]T, c.n)
	copy(out, c.small[:c.n])
	return out
}
