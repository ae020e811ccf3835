package main

import "strings"

// suggestion returns " (did you mean X?)" for the known name closest to
// got, shown with prefix, or "" when none is close enough to be a typo.
func suggestion(got string, known []string, prefix ...string) string {
	best, bestDist := "", -1
	lower := strings.ToLower(got)
	for _, k := range known {
		if d := editDistance(lower, strings.ToLower(k)); bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	// A third of the name, and at least 2 edits: a transposition costs 2.
	if best == "" || bestDist > max(2, len(got)/3) {
		return ""
	}
	return " (did you mean " + strings.Join(prefix, "") + best + "?)"
}

// editDistance is Levenshtein's distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
