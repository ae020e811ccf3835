package jsonrpc

// Limits bound what one body may cost the decoder. The body's size is
// bounded by the transport (limits.max_body_bytes); these bound what a
// small body can still make the decoder do. Zero fields mean the default.
type Limits struct {
	MaxDepth int // nesting of arrays and objects inside params (limits.max_depth); default 64
	MaxItems int // params, array elements and object members in the whole body (limits.max_items); default 1,000,000
	MaxBatch int // requests in one batch (limits.max_multicall); default 1,000
}

const (
	defaultMaxDepth = 64
	defaultMaxItems = 1_000_000
	defaultMaxBatch = 1000
	// maxMaxDepth keeps encoding/json's scanner (which refuses more than
	// 10,000 levels) the one to refuse nothing: our bound comes first.
	maxMaxDepth = 9_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = defaultMaxDepth
	}
	l.MaxDepth = min(l.MaxDepth, maxMaxDepth)
	if l.MaxItems <= 0 {
		l.MaxItems = defaultMaxItems
	}
	if l.MaxBatch <= 0 {
		l.MaxBatch = defaultMaxBatch
	}
	return l
}
