package guest

import "github.com/rpchost/rpchost/abi"

// sortByName sorts the members of s, whose names are distinct, by name.
//
// It is a heapsort rather than slices.SortFunc: that one's pdqsort, with
// the insertion sort, heapsort and pivot selection it falls back on, costs
// a plugin about 20 KB of wasm, for ordering the members of the maps a
// handler returns. A heapsort keeps O(n log n) in a few hundred bytes.
func sortByName(s abi.Struct) {
	n := len(s)
	for root := n/2 - 1; root >= 0; root-- {
		siftDown(s, root, n)
	}
	for end := n - 1; end > 0; end-- {
		s[0], s[end] = s[end], s[0]
		siftDown(s, 0, end)
	}
}

// siftDown restores the max-heap order of s[:n] below root.
func siftDown(s abi.Struct, root, n int) {
	for {
		child := 2*root + 1
		if child >= n {
			return
		}
		if child+1 < n && s[child].Name < s[child+1].Name {
			child++
		}
		if s[root].Name >= s[child].Name {
			return
		}
		s[root], s[child] = s[child], s[root]
		root = child
	}
}
