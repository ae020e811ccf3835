package guest

// In a wasm module the Go scheduler runs another goroutine only when the
// running one yields, and the host's calls never block. The garbage
// collector's mark workers are goroutines: without a yield, a cycle that
// starts during a call never finishes, and the heap grows until the
// instance runs out of memory (measured: 4 GB after 10,000 calls that
// allocate 200 KB each, against 9 MB when every call yields).
//
// A yield (runtime.Gosched) costs about 1 µs in a wasm guest, several times
// the cost of a small call, and there is no cheap way to ask whether a
// cycle is under way. So the exports yield after every yieldCalls calls, or
// sooner once the calls since the last yield moved yieldBytes of messages:
// a handler's garbage grows with what it reads and writes, so heavy calls
// yield often and light ones rarely.
const (
	yieldCalls = 32
	yieldBytes = 256 << 10
)

// yielder decides when a call should yield.
type yielder struct {
	calls int
	bytes int
}

// due records a call that moved n bytes of messages and reports whether
// it should yield; when it does, the counts start again.
func (y *yielder) due(n int) bool {
	y.calls++
	y.bytes += n
	if y.calls < yieldCalls && y.bytes < yieldBytes {
		return false
	}
	*y = yielder{}
	return true
}
