package xmlrpc

import (
	"strings"
	"testing"
)

func TestDefaultLimits(t *testing.T) {
	if got := DefaultLimits(); got.MaxDepth != 64 || got.MaxItems != 1_000_000 {
		t.Errorf("DefaultLimits() = %+v", got)
	}
	if got := (Limits{}).withDefaults(); got != DefaultLimits() {
		t.Errorf("zero limits = %+v", got)
	}
	if got := (Limits{MaxDepth: -1, MaxItems: 5}).withDefaults(); got.MaxDepth != 64 || got.MaxItems != 5 {
		t.Errorf("partial limits = %+v", got)
	}
	if got := (Limits{MaxDepth: 1 << 40}).withDefaults(); got.MaxDepth != 10_000 {
		t.Errorf("huge MaxDepth = %+v", got)
	}
}

// nested returns a param nested n arrays deep (or structs, if structs).
func nested(n int, structs bool) string {
	open, close := "<value><array><data>", "</data></array></value>"
	if structs {
		open, close = "<value><struct><member><name>a</name>", "</member></struct></value>"
	}
	inner := "<value/>"
	return call(strings.Repeat(open, n) + inner + strings.Repeat(close, n))
}

func TestMaxDepth(t *testing.T) {
	for _, structs := range []bool{false, true} {
		if _, err := ParseRequest([]byte(nested(64, structs)), Limits{}); err != nil {
			t.Errorf("64 deep: %v", err)
		}
		_, err := ParseRequest([]byte(nested(65, structs)), Limits{})
		checkErr(t, err, ErrLimit, "nested more than 64 deep (MaxDepth)")
		if _, err := ParseRequest([]byte(nested(3, structs)), Limits{MaxDepth: 3}); err != nil {
			t.Errorf("3 deep, limit 3: %v", err)
		}
		_, err = ParseRequest([]byte(nested(4, structs)), Limits{MaxDepth: 3})
		checkErr(t, err, ErrLimit, "more than 3 deep")
	}
	// Siblings do not add up: depth is nesting, not count.
	wide := call(strings.Repeat("<value><array><data><value><array><data/></array></value></data></array></value>", 1))
	if _, err := ParseRequest([]byte(wide), Limits{MaxDepth: 2}); err != nil {
		t.Error(err)
	}
	siblings := call("<value><array><data>" + strings.Repeat("<value><array><data/></array></value>", 10) + "</data></array></value>")
	if _, err := ParseRequest([]byte(siblings), Limits{MaxDepth: 2}); err != nil {
		t.Error(err)
	}
}

func TestMaxDepthCapped(t *testing.T) {
	_, err := ParseRequest([]byte(nested(10_001, false)), Limits{MaxDepth: 1 << 30})
	checkErr(t, err, ErrLimit, "nested more than 10000 deep")
}

func TestDeepNestingFailsFast(t *testing.T) {
	// 100,000 levels and never closed: rejected at the depth limit, and
	// without deep recursion or state per level past it. Shown without
	// timing it: a document 100 times deeper costs no more allocations.
	deep := func(levels int) []byte { return []byte(call(strings.Repeat("<value><array><data>", levels))) }
	body, shallow := deep(100_000), deep(1_000)
	_, err := ParseRequest(body, Limits{})
	checkErr(t, err, ErrLimit, "MaxDepth")
	allocs := func(b []byte) float64 {
		return testing.AllocsPerRun(5, func() { _, _ = ParseRequest(b, Limits{}) })
	}
	// A few allocations either way are the error's text (its line and
	// column) and the race detector's; state per level would be 99,000.
	if a, s := allocs(body), allocs(shallow); a > s+16 {
		t.Errorf("100,000 levels: %.0f allocations, 1,000 levels: %.0f; the parse keeps something per level past the limit", a, s)
	}
}

func TestMaxItems(t *testing.T) {
	arr := func(n int) string {
		return "<value><array><data>" + strings.Repeat("<value/>", n) + "</data></array></value>"
	}
	// 1 param + 9 elements = 10 items.
	if _, err := ParseRequest([]byte(call(arr(9))), Limits{MaxItems: 10}); err != nil {
		t.Error(err)
	}
	_, err := ParseRequest([]byte(call(arr(10))), Limits{MaxItems: 10})
	checkErr(t, err, ErrLimit, "more than 10 array elements, struct members and params (MaxItems)")
	_, err = ParseRequest([]byte(call(strings.Repeat("<value/>", 1)+"</param><param><value/>")), Limits{MaxItems: 1})
	checkErr(t, err, ErrLimit, "MaxItems")
	members := "<value><struct><member><name>a</name><value/></member><member><name>b</name><value/></member><member><name>c</name><value/></member></struct></value>"
	_, err = ParseRequest([]byte(call(members)), Limits{MaxItems: 3})
	checkErr(t, err, ErrLimit, "MaxItems")
	_, err = ParseResponse([]byte(`<methodResponse><params><param>`+arr(5)+`</param></params></methodResponse>`), Limits{MaxItems: 5})
	checkErr(t, err, ErrLimit, "MaxItems")
}
