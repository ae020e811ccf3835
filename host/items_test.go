package host

import (
	"strings"
	"testing"
)

// TestMaxItemsIsAnInclusiveBound checks README's wording: a request may hold
// at most limits.max_items values (params, array elements and struct
// members together); one more is refused with -32600.
func TestMaxItemsIsAnInclusiveBound(t *testing.T) {
	const limit = 1000
	srv := testServer(t, func(c Config) Config { return c.WithMaxItems(limit) })
	request := func(elements int) []byte {
		return []byte(`<methodCall><methodName>system.listMethods</methodName><params><param><value><array><data>` +
			strings.Repeat("<value><int>1</int></value>", elements) + `</data></array></value></param></params></methodCall>`)
	}
	// One param and limit-1 elements: limit values.
	if _, f := result(t, post(t, srv, "/", request(limit-1))); f != nil && f.Code == -32600 {
		t.Fatalf("%d values were refused: %v", limit, f)
	}
	_, f := result(t, post(t, srv, "/", request(limit)))
	if f == nil || f.Code != -32600 || !strings.Contains(f.Message, "more than 1000") {
		t.Fatalf("%d values: got fault %v, want -32600 naming the limit", limit+1, f)
	}
}
