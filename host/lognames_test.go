package host

import (
	"strconv"
	"strings"
	"testing"
)

// A load's log line lists at most loggedNames method names and says how
// many it left out: a plugin may declare 10,000 methods.
func TestLoadLogListsFewNames(t *testing.T) {
	names := make([]string, 10_000)
	for i := range names {
		names[i] = "m" + strconv.Itoa(i)
	}
	got := firstNames(names)
	t.Logf("10,000 names logged as %d entries, %d bytes", len(got), len(strings.Join(got, " ")))
	if len(got) != loggedNames+1 || got[loggedNames] != "(9980 more)" {
		t.Errorf("firstNames = %q", got)
	}
	if few := names[:3]; len(firstNames(few)) != 3 {
		t.Errorf("firstNames of 3 = %q", firstNames(few))
	}
}
