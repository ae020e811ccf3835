package jsonrpc

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

func parseOne(t *testing.T, body string) Request {
	t.Helper()
	msg, err := Parse([]byte(body), Limits{})
	if err != nil {
		t.Fatalf("Parse(%s): %v", body, err)
	}
	if msg.Batch || len(msg.Requests) != 1 {
		t.Fatalf("Parse(%s): %+v, want one request", body, msg)
	}
	return msg.Requests[0]
}

func TestParseIDsEchoedAsWritten(t *testing.T) {
	for _, id := range []string{`1`, `"abc"`, `"a\u0041\n"`, `-0`, `1.50`, `1e400`, `12345678901234567890123`, `null`, `0.1e-2`} {
		for _, sep := range []string{`:`, ` : `, ":\n\t"} {
			req := parseOne(t, `{"jsonrpc":"2.0","method":"add","params":[1,2],"id"`+sep+id+` }`)
			want := id
			if id == "null" {
				want = "null"
			}
			if string(req.ID) != want || req.Err != nil || req.Notification {
				t.Errorf("id %s (sep %q): ID %q, Err %v, Notification %v", id, sep, req.ID, req.Err, req.Notification)
			}
		}
	}
	// id last, before the end of the object without a space.
	if req := parseOne(t, `{"method":"m","id":42}`); string(req.ID) != "42" {
		t.Errorf("ID %q, want 42", req.ID)
	}
}

func TestParseVersions(t *testing.T) {
	cases := []struct {
		body  string
		ver   Version
		notif bool
	}{
		{`{"jsonrpc":"2.0","method":"m","id":1}`, V2, false},
		{`{"jsonrpc":"2.0","method":"m"}`, V2, true},
		{`{"jsonrpc":"2.0","method":"m","id":null}`, V2, false}, // 2.0: a null id is an id
		{`{"method":"m","params":[],"id":1}`, V1, false},
		{`{"method":"m","params":[],"id":null}`, V1, true}, // 1.0: a null id is a notification
		{`{"method":"m","params":[]}`, V1, true},
		{`{"version":"1.1","method":"m","params":[],"id":7}`, V11, false},
		{`{"version":"1.0","method":"m","params":[],"id":7}`, V1, false},
	}
	for _, c := range cases {
		req := parseOne(t, c.body)
		if req.Version != c.ver || req.Notification != c.notif || req.Err != nil {
			t.Errorf("%s: version %v notification %v err %v; want %v %v", c.body, req.Version, req.Notification, req.Err, c.ver, c.notif)
		}
	}
}

func TestParseParams(t *testing.T) {
	req := parseOne(t, `{"jsonrpc":"2.0","method":"add","params":[3,4.0,"x",null,true,[1,[2]],{"b":1,"a":2}],"id":1}`)
	want := []any{int64(3), 4.0, "x", nil, true, []any{int64(1), []any{int64(2)}}, abi.Struct{{Name: "b", Value: int64(1)}, {Name: "a", Value: int64(2)}}}
	if !reflect.DeepEqual(req.Params, want) || req.Named {
		t.Errorf("params %#v, want %#v", req.Params, want)
	}
	req = parseOne(t, `{"jsonrpc":"2.0","method":"m","params":{"moe":1,"larry":2},"id":1}`)
	if !req.Named || !reflect.DeepEqual(req.Params, []any{abi.Struct{{Name: "moe", Value: int64(1)}, {Name: "larry", Value: int64(2)}}}) {
		t.Errorf("named params %#v", req.Params)
	}
	req = parseOne(t, `{"jsonrpc":"2.0","method":"m","id":1}`)
	if req.Params == nil || len(req.Params) != 0 {
		t.Errorf("absent params: %#v, want an empty list", req.Params)
	}
}

func TestParseBigIntegersExact(t *testing.T) {
	req := parseOne(t, `{"jsonrpc":"2.0","method":"m","params":[9007199254740993,-9223372036854775808,9223372036854775807,1e2,1E2,2.5e-3],"id":1}`)
	want := []any{int64(9007199254740993), int64(math.MinInt64), int64(math.MaxInt64), 100.0, 100.0, 0.0025}
	if !reflect.DeepEqual(req.Params, want) {
		t.Errorf("params %#v, want %#v", req.Params, want)
	}
	for _, p := range []string{`9223372036854775808`, `-9223372036854775809`, `1e400`} {
		req := parseOne(t, `{"jsonrpc":"2.0","method":"m","params":[`+p+`],"id":1}`)
		if !errors.Is(req.Err, ErrInvalidParams) || string(req.ID) != "1" {
			t.Errorf("param %s: err %v id %q; want ErrInvalidParams and the id", p, req.Err, req.ID)
		}
	}
}

func TestParseTaggedValues(t *testing.T) {
	req := parseOne(t, `{"jsonrpc":"2.0","method":"m","params":[{"__base64__":"aGk="},{"__base64__":"aGk"},{"__datetime__":"2026-11-25T01:02:03.456Z"},{"__datetime__":"20261125T01:02:03"},{"__datetime__":"2026-11-25T03:02:03+02:00"}],"id":1}`)
	want := []any{[]byte("hi"), []byte("hi"),
		time.Date(2026, 11, 25, 1, 2, 3, 456e6, time.UTC), time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC), time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)}
	if !reflect.DeepEqual(req.Params, want) || req.Err != nil {
		t.Errorf("params %#v err %v, want %#v", req.Params, req.Err, want)
	}
	for _, p := range []string{`{"__base64__":"!!"}`, `{"__base64__":1}`, `{"__datetime__":"yesterday"}`, `{"__base64__":"aGk=","x":1}`, `{"a":1,"a":2}`} {
		req := parseOne(t, `{"jsonrpc":"2.0","method":"m","params":[`+p+`],"id":"k"}`)
		if !errors.Is(req.Err, ErrInvalidParams) || string(req.ID) != `"k"` {
			t.Errorf("param %s: err %v id %q; want ErrInvalidParams and the id", p, req.Err, req.ID)
		}
	}
	// A tagged name later than first is an ordinary member.
	req = parseOne(t, `{"jsonrpc":"2.0","method":"m","params":[{"x":1,"__base64__":"aGk="}],"id":1}`)
	if req.Err != nil || !reflect.DeepEqual(req.Params[0], abi.Struct{{Name: "x", Value: int64(1)}, {Name: "__base64__", Value: "aGk="}}) {
		t.Errorf("params %#v err %v", req.Params, req.Err)
	}
}

func TestParseInvalidRequests(t *testing.T) {
	cases := map[string]string{
		`{"jsonrpc":"2.0","method":1,"id":1}`:                                  `"method" must be a string`,
		`{"jsonrpc":"2.0","id":1}`:                                             `no "method"`,
		`{"jsonrpc":"1.0","method":"m","id":1}`:                                `"jsonrpc" must be "2.0"`,
		`{"jsonrpc":"2.0","method":"m","params":3,"id":1}`:                     `"params" must be`,
		`{"jsonrpc":"2.0","method":"m","params":"x","id":1}`:                   `"params" must be`,
		`{"jsonrpc":"2.0","method":"m","id":{"a":1}}`:                          `"id" must be`,
		`{"jsonrpc":"2.0","method":"m","id":[1]}`:                              `"id" must be`,
		`{"jsonrpc":"2.0","method":"m","id":true}`:                             `"id" must be`,
		`{"jsonrpc":"2.0","method":"m","method":"n","id":1}`:                   `second "method"`,
		`{"jsonrpc":"2.0","method":"m","params":{"__base64__":"aGk="},"id":1}`: `"params" must be`,
		`1`:    `must be an object`,
		`"x"`:  `must be an object`,
		`null`: `must be an object`,
	}
	for body, want := range cases {
		req := parseOne(t, body)
		if !errors.Is(req.Err, ErrInvalidRequest) || !strings.Contains(req.Err.Error(), want) || !req.Answered() {
			t.Errorf("%s: err %v, want ErrInvalidRequest saying %q, answered", body, req.Err, want)
		}
	}
	// The id is echoed when it could be read, null otherwise.
	if req := parseOne(t, `{"jsonrpc":"2.0","method":1,"id":"x"}`); string(req.ID) != `"x"` {
		t.Errorf("id %q, want \"x\"", req.ID)
	}
	if req := parseOne(t, `{"jsonrpc":"2.0","method":1,"id":[1]}`); req.ID != nil {
		t.Errorf("id %q, want none", req.ID)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]error{
		``:                       ErrParse,
		`   `:                    ErrParse,
		`{`:                      ErrParse,
		`{"jsonrpc":"2.0",}`:     ErrParse,
		`{"method":"m"} {}`:      ErrParse,
		`{"method":"m"} x`:       ErrParse,
		`[1,2`:                   ErrParse,
		"{\"method\":\"m\xff\"}": ErrParse,
		`[]`:                     ErrInvalidRequest,
		"\ufeff{}":               ErrParse,
	}
	for body, want := range cases {
		_, err := Parse([]byte(body), Limits{})
		if !errors.Is(err, want) {
			t.Errorf("Parse(%q) = %v, want %v", body, err, want)
		}
	}
}

func TestParseBatch(t *testing.T) {
	msg, err := Parse([]byte(`[{"jsonrpc":"2.0","method":"a","params":[1],"id":"1"},{"jsonrpc":"2.0","method":"n"},{"foo":"boo"},1,{"method":"old","params":[],"id":9}]`), Limits{})
	if err != nil || !msg.Batch || len(msg.Requests) != 5 {
		t.Fatalf("%+v, %v", msg, err)
	}
	r := msg.Requests
	if r[0].Method != "a" || r[0].Err != nil || string(r[0].ID) != `"1"` {
		t.Errorf("entry 0: %+v", r[0])
	}
	if !r[1].Notification || r[1].Answered() {
		t.Errorf("entry 1 is a notification: %+v", r[1])
	}
	if !errors.Is(r[2].Err, ErrInvalidRequest) || !r[2].Answered() || r[2].Version != V2 {
		t.Errorf("entry 2: %+v", r[2])
	}
	if !errors.Is(r[3].Err, ErrInvalidRequest) || r[3].Version != V2 {
		t.Errorf("entry 3: %+v", r[3])
	}
	if r[4].Version != V1 || r[4].Err != nil {
		t.Errorf("entry 4: %+v", r[4])
	}
}

func TestParseLimits(t *testing.T) {
	deep := `{"jsonrpc":"2.0","method":"m","params":[` + strings.Repeat("[", 5) + strings.Repeat("]", 5) + `],"id":1}`
	if _, err := Parse([]byte(deep), Limits{MaxDepth: 5}); err != nil {
		t.Errorf("5 levels under max_depth 5: %v", err)
	}
	if _, err := Parse([]byte(deep), Limits{MaxDepth: 4}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "limits.max_depth") {
		t.Errorf("5 levels under max_depth 4: %v", err)
	}
	// Depth counts in skipped members too.
	skipped := `{"jsonrpc":"2.0","method":"m","x":` + strings.Repeat("{\"a\":", 100) + "1" + strings.Repeat("}", 100) + `,"id":1}`
	if _, err := Parse([]byte(skipped), Limits{MaxDepth: 64}); !errors.Is(err, ErrLimit) {
		t.Errorf("100 levels in an unknown member: %v", err)
	}
	// A million levels: refused at the limit, quickly and without a stack overflow.
	if _, err := Parse([]byte(`[`+strings.Repeat("[", 1<<20)), Limits{}); !errors.Is(err, ErrLimit) && !errors.Is(err, ErrParse) {
		t.Errorf("a million '[': %v", err)
	}
	items := `{"jsonrpc":"2.0","method":"m","params":[1,2,3,4,5,6],"id":1}`
	if _, err := Parse([]byte(items), Limits{MaxItems: 3}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "limits.max_items") {
		t.Errorf("items: %v", err)
	}
	batch := "[" + strings.TrimSuffix(strings.Repeat(`{"jsonrpc":"2.0","method":"m","id":1},`, 4), ",") + "]"
	if _, err := Parse([]byte(batch), Limits{MaxBatch: 4}); err != nil {
		t.Errorf("4 requests under a batch limit of 4: %v", err)
	}
	if _, err := Parse([]byte(batch), Limits{MaxBatch: 3}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "limits.max_multicall") {
		t.Errorf("4 requests under a batch limit of 3: %v", err)
	}
}

// TestStringsReadAsEncodingJSONReadsThem: escapes, surrogate pairs and lone
// halves decode as encoding/json decodes them.
func TestStringsReadAsEncodingJSONReadsThem(t *testing.T) {
	for _, lit := range []string{`"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00x"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`, `"é😀"`} {
		var want string
		if err := json.Unmarshal([]byte(lit), &want); err != nil {
			t.Fatal(err)
		}
		req := parseOne(t, `{"jsonrpc":"2.0","method":"m","params":[`+lit+`],"id":1}`)
		if req.Err != nil || req.Params[0] != want {
			t.Errorf("%s: read %q (%v), encoding/json reads %q", lit, req.Params[0], req.Err, want)
		}
	}
}

// TestParseMillionIntsBounded: the largest params limits.max_items lets
// through by default, a 2 MB array of a million ints, is read within a
// bound on the memory it allocates (16 bytes a value, for the []any, and
// the doubling of the slice that holds them).
func TestParseMillionIntsBounded(t *testing.T) {
	body := []byte(`{"jsonrpc":"2.0","method":"add","params":[[` + strings.TrimSuffix(strings.Repeat("1,", 999_990), ",") + `]],"id":1}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	msg, err := Parse(body, Limits{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d-byte body of %d ints: %d MB allocated", len(body), len(msg.Requests[0].Params[0].([]any)), allocated>>20)
	if allocated > 64<<20 {
		t.Errorf("%d MB allocated to read %d bytes; want under 64 MB", allocated>>20, len(body))
	}
	if _, err := Parse([]byte(strings.Replace(string(body), "1,", "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,", 1)), Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("past limits.max_items: %v", err)
	}
}
